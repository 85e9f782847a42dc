//! The engine's rules, one small script each.

use super::*;
use crate::script;

fn engine_with(model: Model, md: &str) -> Engine {
    let s = script::load("t.xml", md).unwrap();
    Engine::new(vec![s], model).unwrap()
}

fn engine(md: &str) -> Engine {
    engine_with(Model::default(), md)
}

fn wrap(cues: &str) -> String {
    format!("<mdscript name=\"T\"><cues>{cues}</cues></mdscript>")
}

fn texts(e: &mut Engine) -> Vec<String> {
    e.take_records()
        .into_iter()
        .map(|r| match r {
            Record::DebugText { text, .. } => text,
            Record::Notification { text, .. } => format!("note:{text}"),
            Record::MdError { msg, pos } => format!("error:{msg}@{}", pos.line),
            Record::ToLua(c) => format!("lua:{}({})", c.name, c.param),
        })
        .collect()
}

#[test]
fn signal_cue_runs_after_the_current_actions_and_instantly_runs_at_once() {
    let mut e = engine(&wrap(
        r#"
        <cue name="Start"><actions>
          <debug_text text="'start 1'"/>
          <signal_cue cue="Later"/>
          <signal_cue_instantly cue="Now" param="42"/>
          <debug_text text="'start 2'"/>
        </actions></cue>
        <cue name="Later"><conditions><event_cue_signalled/></conditions>
          <actions><debug_text text="'later'"/></actions></cue>
        <cue name="Now"><conditions><event_cue_signalled/></conditions>
          <actions><debug_text text="'now ' + event.param"/></actions></cue>
    "#,
    ));
    e.start_new_game().unwrap();
    assert_eq!(texts(&mut e), ["start 1", "now 42", "start 2", "later"]);
}

const ORDER: &str = r#"
    <cue name="Start"><actions>
      <signal_cue cue="A"/>
      <signal_cue cue="B"/>
    </actions></cue>
    <cue name="A" instantiate="true"><conditions><event_cue_signalled/></conditions>
      <actions><debug_text text="'A'"/><signal_cue cue="A2"/></actions></cue>
    <cue name="A2" instantiate="true"><conditions><event_cue_signalled/></conditions>
      <actions><debug_text text="'A2'"/></actions></cue>
    <cue name="B" instantiate="true"><conditions><event_cue_signalled/></conditions>
      <actions><debug_text text="'B'"/></actions></cue>
"#;

#[test]
fn signal_order_is_a_setting() {
    let mut fifo = engine(&wrap(ORDER));
    fifo.start_new_game().unwrap();
    assert_eq!(texts(&mut fifo), ["A", "B", "A2"]);
    let model = Model {
        signal_order: SignalOrder::DepthFirst,
        ..Model::default()
    };
    let mut depth = engine_with(model, &wrap(ORDER));
    depth.start_new_game().unwrap();
    assert_eq!(texts(&mut depth), ["A", "A2", "B"]);
}

#[test]
fn cancel_takes_effect_after_the_actions_and_ends_the_instance() {
    let mut e = engine(&wrap(
        r#"
        <cue name="Access" instantiate="true" namespace="this">
          <conditions><event_cue_signalled/></conditions>
          <actions>
            <set_value name="$id" exact="event.param"/>
            <cancel_cue cue="this"/>
            <debug_text text="'still running ' + $id"/>
          </actions>
          <cues><cue name="Child"><conditions><event_cue_signalled/></conditions>
            <actions><debug_text text="'child'"/></actions></cue></cues>
        </cue>
        <cue name="Start"><actions>
          <signal_cue_instantly cue="Access" param="1"/>
          <debug_text text="'instances ' + Access.state"/>
        </actions></cue>
    "#,
    ));
    e.start_new_game().unwrap();
    assert_eq!(
        texts(&mut e),
        ["still running 1", "instances cuestate.waiting"]
    );
    let access = e.cue("T", "Access").unwrap();
    assert_eq!(e.instances(access), 0, "the cancelled instance is gone");
}

#[test]
fn instances_own_their_sub_cues_and_names_resolve_inside_the_instance() {
    let mut e = engine(&wrap(
        r#"
        <cue name="Session" instantiate="true" namespace="this">
          <conditions><event_cue_signalled/></conditions>
          <actions>
            <set_value name="$n" exact="event.param"/>
            <signal_cue cue="Ping"/>
          </actions>
          <cues>
            <cue name="Ping" instantiate="true">
              <conditions><event_cue_signalled/></conditions>
              <actions><debug_text text="'ping ' + $n"/></actions>
            </cue>
          </cues>
        </cue>
        <cue name="Start"><actions>
          <signal_cue_instantly cue="Session" param="1"/>
          <signal_cue_instantly cue="Session" param="2"/>
        </actions></cue>
    "#,
    ));
    e.start_new_game().unwrap();
    assert_eq!(texts(&mut e), ["ping 1", "ping 2"]);
    let s = e.cue("T", "Session").unwrap();
    assert_eq!(
        e.instances(s),
        2,
        "waiting sub-cues keep the instances alive"
    );
}

#[test]
fn delays_and_checks_follow_game_time() {
    let mut e = engine(&wrap(
        r#"
        <cue name="Later"><delay exact="5s"/><actions><debug_text text="'at ' + player.age"/></actions></cue>
        <cue name="Poll" checkinterval="2s">
          <conditions><check_value value="player.age ge 3s"/></conditions>
          <actions><debug_text text="'poll at ' + player.age"/></actions>
        </cue>
        <cue name="Once" onfail="cancel">
          <conditions><check_value value="false"/></conditions>
          <actions><debug_text text="'never'"/></actions>
        </cue>
    "#,
    ));
    e.start_new_game().unwrap();
    let mut seen = Vec::new();
    while let Some(t) = e.next_timer() {
        e.advance(t).unwrap();
        seen.extend(texts(&mut e));
    }
    assert_eq!(seen, ["poll at 4s", "at 5s"]);
    let once = e.cue("T", "Once").unwrap();
    assert_eq!(e.cue_state(once), CueState::Cancelled);
}

#[test]
fn ui_events_carry_three_params_and_values_work_like_md() {
    let mut e = engine(&wrap(
        r#"
        <cue name="G"><actions>
          <set_value name="$list" exact="[3, 1, 2]"/>
          <append_to_list name="$list" exact="1"/>
          <remove_from_list name="$list" exact="1"/>
          <set_value name="$t" exact="table[$a=1]"/>
          <set_value name="$t.{'b'}" exact="$list.count"/>
          <set_value name="$t.$a" operation="add"/>
          <set_value name="global.$g" exact="$t"/>
          <do_all exact="$list.count" counter="$i"><set_value name="$sum" exact="$i" operation="add"/></do_all>
          <debug_text text="[$list.min, $list.max, $list.indexof.{2}, $t.$a, @$missing, $missing?, $sum, global.$g.{'b'}]"/>
        </actions></cue>
        <cue name="Ui"><conditions>
          <event_ui_triggered screen="'S'" control="'c_' + md.T.G.$t.$a"/>
        </conditions>
          <actions><debug_text text="event.param + '/' + event.param2 + '/' + event.param3"/></actions></cue>
    "#,
    ));
    e.start_new_game().unwrap();
    e.ui_event("S", "c_1", Value::str("no")).unwrap();
    e.ui_event("S", "c_2", Value::str("yes")).unwrap();
    assert_eq!(texts(&mut e), ["[2, 3, 2, 2, null, 0, 3, 2]", "S/c_2/yes"]);
}

#[test]
fn md_errors_are_logged_and_the_run_goes_on() {
    let mut e = engine(&wrap(
        r#"<cue name="G"><actions>
          <set_value name="$a" exact="$nothing + 1"/>
          <debug_text text="'after'"/>
        </actions></cue>"#,
    ));
    e.start_new_game().unwrap();
    assert_eq!(texts(&mut e), ["error:$nothing is not set@2", "after"]);
}

#[test]
fn constructs_outside_the_subset_stop_with_file_and_line() {
    let mut e = engine(
        "<mdscript name=\"T\"><cues>\n<cue name=\"G\"><actions>\n<debug_text text=\"'a'\"/>\n<find_ship name=\"$s\"/>\n</actions></cue></cues></mdscript>",
    );
    let err = e.start_new_game().unwrap_err();
    assert_eq!(err.to_string(), "not simulated: <find_ship> at t.xml:4");
    assert_eq!(texts(&mut e), ["a"], "what ran before is kept");

    let mut e = engine(&wrap(
        r#"<cue name="G"><conditions><event_player_created/></conditions></cue>"#,
    ));
    let err = e.start_new_game().unwrap_err();
    assert!(
        err.to_string()
            .starts_with("not simulated: <event_player_created> at t.xml:1"),
        "{err}"
    );

    let mut e = engine(&wrap(
        r#"<cue name="G"><actions><debug_text text="faction.player"/></actions></cue>"#,
    ));
    let err = e.start_new_game().unwrap_err();
    assert!(err.to_string().contains("expression 'faction'"), "{err}");
}

#[test]
fn library_runs_in_the_callers_context() {
    let mut e = engine(&wrap(
        r#"
        <library name="Lib"><actions>
          <debug_text text="'lib ' + $x"/>
          <return/>
          <debug_text text="'not reached'"/>
        </actions></library>
        <cue name="G" namespace="this"><actions>
          <set_value name="$x" exact="7"/>
          <include_actions ref="Lib"/>
          <debug_text text="'back'"/>
        </actions></cue>
    "#,
    ));
    e.start_new_game().unwrap();
    assert_eq!(
        texts(&mut e),
        ["lib 7"],
        "return ends the including cue's actions"
    );
}

#[test]
fn reset_puts_a_cue_back_to_waiting() {
    let mut e = engine(&wrap(
        r#"
        <cue name="Once"><conditions><event_cue_signalled/></conditions>
          <actions><debug_text text="'once'"/></actions></cue>
        <cue name="Start"><actions>
          <signal_cue_instantly cue="Once"/>
          <signal_cue_instantly cue="Once"/>
          <reset_cue cue="Once"/>
        </actions></cue>
        <cue name="Again"><conditions><event_game_started/></conditions>
          <actions><signal_cue_instantly cue="Once"/></actions></cue>
    "#,
    ));
    e.start_new_game().unwrap();
    assert_eq!(texts(&mut e), ["once", "once"]);
}

const LIB_REF: &str = r#"
    <cue name="Start"><actions><set_value name="$who" exact="'b'"/></actions>
      <cues>
        <cue name="A" ref="Lib"><param name="Label" value="'a'"/></cue>
        <cue name="B" ref="Lib"><param name="Label" value="$who"/><param name="Step" value="2"/></cue>
        <cue name="Go"><actions><signal_cue cue="A"/><signal_cue cue="B"/></actions></cue>
      </cues>
    </cue>
    <library name="Lib" purpose="cue_ref">
      <params><param name="Label"/><param name="Step" default="1"/></params>
      <conditions><event_cue_signalled/></conditions>
      <actions><debug_text text="$Label + ' ' + $Step"/><signal_cue cue="Inner"/></actions>
      <cues>
        <cue name="Inner"><conditions><event_cue_signalled/></conditions>
          <actions><debug_text text="'inner of ' + $Label"/></actions></cue>
      </cues>
    </library>
"#;

#[test]
fn a_cue_with_ref_runs_the_library_with_its_params() {
    let mut e = engine(&wrap(LIB_REF));
    e.start_new_game().unwrap();
    // Params from the cue (evaluated where it is written) or the library's defaults;
    // the library's sub-cue names mean the sub-cues of each referencing cue.
    assert_eq!(texts(&mut e), ["a 1", "b 2", "inner of a", "inner of b"]);
    let a = e.cue("T", "Start").unwrap();
    assert_eq!(e.var(a, "$who").unwrap().to_string(), "b");
    assert!(
        e.var(a, "$Label").is_none(),
        "params live in the referencing cue"
    );
}

#[test]
fn library_params_missing_or_unknown_are_md_errors() {
    let mut e = engine(&wrap(
        r#"
        <cue name="A" ref="Lib"><param name="Nope" value="1"/></cue>
        <library name="Lib">
          <params><param name="Need"/></params>
          <actions><debug_text text="'ran'"/></actions>
        </library>
    "#,
    ));
    e.start_new_game().unwrap();
    assert_eq!(
        texts(&mut e),
        [
            "error:library 'Lib' has no parameter 'Nope'@2",
            "error:library 'Lib' needs parameter 'Need'@2",
            "ran"
        ]
    );
}

#[test]
fn a_ref_to_another_script_runs_its_library_and_an_unknown_one_stops() {
    let lib = script::load(
        "lib.xml",
        r#"<mdscript name="L"><cues>
             <library name="Hello"><params><param name="To"/></params>
               <actions><debug_text text="'hello ' + $To"/></actions></library>
           </cues></mdscript>"#,
    )
    .unwrap();
    let user = script::load(
        "user.xml",
        &wrap(r#"<cue name="Hi" ref="md.L.Hello"><param name="To" value="'you'"/></cue>"#),
    )
    .unwrap();
    let mut e = Engine::new(vec![lib, user], Model::default()).unwrap();
    e.start_new_game().unwrap();
    assert_eq!(texts(&mut e), ["hello you"]);

    let alone = script::load(
        "user.xml",
        &wrap(r#"<cue name="Hi" ref="md.L.Hello"><param name="To" value="'you'"/></cue>"#),
    )
    .unwrap();
    let mut e = Engine::new(vec![alone], Model::default()).unwrap();
    let err = e.start_new_game().unwrap_err().to_string();
    assert_eq!(
        err,
        "not simulated: ref=\"md.L.Hello\" (no such library among the loaded scripts) at user.xml:1"
    );
}
