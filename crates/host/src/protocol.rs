//! The messages game clients send on the host pipe, as the original
//! X4_Python_Pipe_Server understands them. The host never answers on this pipe: the
//! game keeps a read pending only to notice when the host goes away.

/// One message from a game client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `ping`: the game checks that the host is there.
    Ping,
    /// Lua's `package.path`, from which the X4 folder can be read. The original API
    /// sends it as `package.path:<value>`; x4pipe's Lua client sends the bare value.
    /// Since game 7.5 the value may be empty.
    PackagePath(String),
    /// `modules:<p1>;<p2>;`: paths of Python modules relative to the X4 folder.
    Modules(Vec<String>),
    /// `garbage_collected`: the game's Lua state went away (the original treats it
    /// like a disconnect).
    GarbageCollected,
    /// `restart`: the client asks the host to drop this connection and start over.
    Restart,
    /// Anything else (ignored, shown with `--verbose`).
    Unknown(String),
}

impl Command {
    pub fn parse(message: &str) -> Command {
        match message {
            "ping" => return Command::Ping,
            "restart" => return Command::Restart,
            "garbage_collected" => return Command::GarbageCollected,
            _ => {}
        }
        if let Some(rest) = message.strip_prefix("package.path:") {
            return Command::PackagePath(rest.to_owned());
        }
        if let Some(rest) = message.strip_prefix("modules:") {
            // `;`-separated with a trailing `;`; empty entries carry nothing.
            let paths = rest
                .split(';')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect();
            return Command::Modules(paths);
        }
        // A bare package.path: Lua path templates always contain `?`, and an empty
        // message is the empty package.path of game 7.5+.
        if message.is_empty() || message.contains('?') {
            return Command::PackagePath(message.to_owned());
        }
        Command::Unknown(message.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::Command::{self, *};

    #[test]
    fn every_message_of_the_original_protocol() {
        assert_eq!(Command::parse("ping"), Ping);
        assert_eq!(Command::parse("restart"), Restart);
        assert_eq!(Command::parse("garbage_collected"), GarbageCollected);
        let lua = r".\?.lua;C:\X4\lua\?.lua;C:\X4\lua\?\init.lua;";
        assert_eq!(
            Command::parse(&format!("package.path:{lua}")),
            PackagePath(lua.into())
        );
        assert_eq!(Command::parse(lua), PackagePath(lua.into()));
        assert_eq!(Command::parse(""), PackagePath(String::new()));
        assert_eq!(Command::parse("package.path:"), PackagePath(String::new()));
        assert_eq!(
            Command::parse("modules:extensions/a/x.py;extensions/b/y.py;"),
            Modules(vec!["extensions/a/x.py".into(), "extensions/b/y.py".into()])
        );
        assert_eq!(Command::parse("modules:"), Modules(vec![]));
        assert_eq!(Command::parse("modules:a.py"), Modules(vec!["a.py".into()]));
        assert_eq!(Command::parse("hello"), Unknown("hello".into()));
    }
}
