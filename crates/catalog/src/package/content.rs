//! The few `content.xml` facts packaging needs: the root element's `id`,
//! `version` and `date` attributes.
//!
//! A full XML parser would be a heavy dependency for three attributes of one
//! element; this reads the first start tag after the prolog, comments and
//! doctype, which is all X4 itself relies on for content.xml.

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentInfo {
    pub id: Option<String>,
    pub version: Option<String>,
    pub date: Option<String>,
}

/// Parses the root element's attributes; `Err` says why it is not a `<content>` root.
pub fn parse(xml: &str) -> Result<ContentInfo, String> {
    let mut rest = xml.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("<?") {
            rest = after(r, "?>")?;
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = after(r, "-->")?;
        } else if let Some(r) = rest.strip_prefix("<!") {
            rest = after(r, ">")?;
        } else {
            break;
        }
    }
    let tag = rest.strip_prefix('<').ok_or("no root element found")?;
    let name_end = tag
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(tag.len());
    let name = &tag[..name_end];
    if name != "content" {
        return Err(format!("root element is <{name}>, expected <content>"));
    }
    let mut attrs = &tag[name_end..];
    let mut info = ContentInfo::default();
    loop {
        attrs = attrs.trim_start();
        if attrs.is_empty() {
            return Err("unterminated <content> tag".into());
        }
        if attrs.starts_with('>') || attrs.starts_with("/>") {
            return Ok(info);
        }
        let eq = attrs.find('=').ok_or("malformed attribute in <content>")?;
        let key = attrs[..eq].trim();
        let after_eq = attrs[eq + 1..].trim_start();
        let quote = after_eq
            .chars()
            .next()
            .filter(|&q| q == '"' || q == '\'')
            .ok_or_else(|| format!("attribute {key} of <content> is not quoted"))?;
        let value_start = &after_eq[1..];
        let end = value_start
            .find(quote)
            .ok_or_else(|| format!("attribute {key} of <content> is not closed"))?;
        let value = unescape(&value_start[..end]);
        match key {
            "id" => info.id = Some(value),
            "version" => info.version = Some(value),
            "date" => info.date = Some(value),
            _ => {}
        }
        attrs = &value_start[end + 1..];
    }
}

fn after<'a>(s: &'a str, end: &str) -> Result<&'a str, String> {
    s.find(end)
        .map(|i| &s[i + end.len()..])
        .ok_or_else(|| format!("unterminated markup (missing {end})"))
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_root_attributes() {
        let xml = "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- hi -->\n\
                   <content id=\"my_ext\" name=\"A &amp; B\" version='194' date=\"2026-11-25\" save=\"false\">\n\
                   <dependency version=\"600\"/></content>";
        let info = parse(xml).unwrap();
        assert_eq!(info.id.as_deref(), Some("my_ext"));
        assert_eq!(info.version.as_deref(), Some("194"));
        assert_eq!(info.date.as_deref(), Some("2026-11-25"));
        assert!(parse("<diff/>").is_err());
        assert!(parse("<content id=x>").is_err());
    }
}
