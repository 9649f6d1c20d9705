//! Parsed RUN scripts, cached by text across the rounds of one fix, so that
//! a RUN no round changed is parsed once and its commands listed once.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use dockopt_shell::{Command, ParseError, Script};

/// A script and what every transform asks of it first.
pub struct ScriptInfo {
    pub script: Script,
}

impl ScriptInfo {
    fn new(script: Script) -> Self {
        Self { script }
    }

    /// Every simple command, in source order (listed on first use, once:
    /// a script parsed only to see that it parses is never walked).
    pub fn commands(&self) -> &[Command] {
        self.script.command_list()
    }

    /// Commands that run in the script's own shell.
    pub fn top_level(&self) -> impl Iterator<Item = &Command> + '_ {
        self.commands().iter().filter(|c| c.top_level)
    }

    /// Commands whose program is `name` (by base name: `/usr/bin/pip` is `pip`).
    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Command> + 'a {
        self.commands()
            .iter()
            .filter(move |c| program(&c.name.text) == name)
    }
}

impl std::ops::Deref for ScriptInfo {
    type Target = Script;

    fn deref(&self) -> &Script {
        &self.script
    }
}

/// A command's program without its directory.
pub fn program(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

struct Entry {
    info: Result<Rc<ScriptInfo>, ParseError>,
    used: u32,
}

/// The cache. One per fix (or check) of a file; entries no round used for a
/// while are dropped, so memory stays bounded by what the file holds.
#[derive(Default)]
pub struct Scripts {
    map: RefCell<HashMap<Box<str>, Entry>>,
    round: Cell<u32>,
    parses: Cell<u32>,
}

impl Scripts {
    pub fn new() -> Self {
        Self::default()
    }

    /// The parsed script for `text`, or `None` when it does not parse
    /// cleanly.
    pub fn get(&self, text: &str) -> Option<Rc<ScriptInfo>> {
        self.get_or_why(text).ok()
    }

    /// The parsed script for `text`, or why there is none.
    pub fn get_or_why(&self, text: &str) -> Result<Rc<ScriptInfo>, ParseError> {
        let round = self.round.get();
        let mut map = self.map.borrow_mut();
        if let Some(e) = map.get_mut(text) {
            e.used = round;
            return e.info.clone();
        }
        self.parses.set(self.parses.get() + 1);
        let info = Script::parse(text).map(|s| Rc::new(ScriptInfo::new(s)));
        map.insert(
            text.into(),
            Entry {
                info: info.clone(),
                used: round,
            },
        );
        info
    }

    /// Starts a new round: drops scripts that the last two rounds did not use.
    pub fn next_round(&self) {
        let round = self.round.get() + 1;
        self.round.set(round);
        self.map.borrow_mut().retain(|_, e| e.used + 2 > round);
    }

    /// How many scripts were parsed so far (not served from the cache).
    pub fn parses(&self) -> u32 {
        self.parses.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_text_once() {
        let s = Scripts::new();
        let a = s.get("apt-get update && apt-get install -y curl").unwrap();
        assert_eq!(a.commands().len(), 2);
        assert_eq!(a.named("apt-get").count(), 2);
        s.next_round();
        let b = s.get("apt-get update && apt-get install -y curl").unwrap();
        assert!(Rc::ptr_eq(&a, &b));
        assert!(s.get("if then fi (").is_none());
        assert!(s.get("if then fi (").is_none());
        assert_eq!(s.parses(), 2);
        for _ in 0..3 {
            s.next_round();
        }
        s.get("apt-get update && apt-get install -y curl");
        assert_eq!(s.parses(), 3);
    }
}
