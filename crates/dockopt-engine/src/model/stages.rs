//! The stage graph: each stage's base, which stages feed which, and which
//! ship in the target image.
//!
//! BuildKit builds only what the target needs. The target and the stages it
//! is built `FROM` (directly or not) are the layers of the image: they
//! *ship*. Stages read by `COPY --from` or `RUN --mount=from=` of a needed
//! stage are *needed* too, but only the files copied out of them reach the
//! image. Other stages are not built at all.

/// What a stage starts from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Base {
    /// An image reference, after expanding global build arguments.
    Image(String),
    /// An earlier stage, by index.
    Stage(usize),
    /// `FROM scratch`: an empty file system.
    Scratch,
}

/// Where a `COPY --from` or `RUN --mount=from=` reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Stage(usize),
    Image(String),
}

/// One build stage.
#[derive(Clone, Debug)]
pub struct StageInfo {
    pub index: usize,
    /// The `AS` name, lower-cased as BuildKit compares names.
    pub name: Option<String>,
    pub base: Base,
    /// The `--platform` flag as written, if any.
    pub platform: Option<String>,
    /// Indices into [`super::Model::insts`]: the `FROM`, then the stage's
    /// instructions up to the next `FROM`.
    pub insts: std::ops::Range<usize>,
    /// Whether this stage's layers are part of the target image.
    pub ships: bool,
    /// Whether the target needs this stage at all (ships or feeds a stage
    /// that is needed). BuildKit skips the others.
    pub needed: bool,
    /// Stages and images this stage reads files from, besides its base.
    pub reads: Vec<Source>,
}

impl StageInfo {
    /// The stage's base stage, if it is built on one.
    pub fn base_stage(&self) -> Option<usize> {
        match self.base {
            Base::Stage(i) => Some(i),
            _ => None,
        }
    }

    /// The base image reference, if the stage starts from an image.
    pub fn base_image(&self) -> Option<&str> {
        match &self.base {
            Base::Image(r) => Some(r),
            _ => None,
        }
    }
}

/// Resolves a `--from` value (or a `FROM` base) against the stages before
/// `before`: a stage name, a stage index, or else an image.
pub fn resolve(stages: &[StageInfo], before: usize, reference: &str) -> Source {
    let lower = reference.to_ascii_lowercase();
    if let Some(s) = stages[..before.min(stages.len())]
        .iter()
        .rev()
        .find(|s| s.name.as_deref() == Some(lower.as_str()))
    {
        return Source::Stage(s.index);
    }
    if let Ok(i) = reference.parse::<usize>() {
        if i < before {
            return Source::Stage(i);
        }
    }
    Source::Image(reference.to_string())
}

/// Marks which stages ship and which are needed, for the target stage.
pub fn mark(stages: &mut [StageInfo], target: usize) {
    for s in stages.iter_mut() {
        s.ships = false;
        s.needed = false;
    }
    let mut at = Some(target);
    while let Some(i) = at {
        if stages[i].ships {
            break;
        }
        stages[i].ships = true;
        at = stages[i].base_stage().filter(|&b| b < i);
    }
    // Needed: the closure over bases and reads, from the target.
    let mut todo = vec![target];
    while let Some(i) = todo.pop() {
        if stages[i].needed {
            continue;
        }
        stages[i].needed = true;
        if let Some(b) = stages[i].base_stage() {
            todo.push(b);
        }
        for r in &stages[i].reads {
            if let Source::Stage(j) = r {
                todo.push(*j);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(index: usize, name: &str, base: Base, reads: Vec<Source>) -> StageInfo {
        StageInfo {
            index,
            name: (!name.is_empty()).then(|| name.to_string()),
            base,
            platform: None,
            insts: 0..0,
            ships: false,
            needed: false,
            reads,
        }
    }

    #[test]
    fn target_and_its_bases_ship_and_copied_stages_are_needed() {
        let mut s = vec![
            stage(0, "deps", Base::Image("node:20".into()), vec![]),
            stage(1, "build", Base::Stage(0), vec![]),
            stage(2, "lint", Base::Stage(0), vec![]),
            stage(3, "", Base::Image("nginx".into()), vec![Source::Stage(1)]),
        ];
        mark(&mut s, 3);
        let ships: Vec<bool> = s.iter().map(|s| s.ships).collect();
        let needed: Vec<bool> = s.iter().map(|s| s.needed).collect();
        assert_eq!(ships, [false, false, false, true]);
        assert_eq!(needed, [true, true, false, true]);
        mark(&mut s, 1);
        let ships: Vec<bool> = s.iter().map(|s| s.ships).collect();
        assert_eq!(ships, [true, true, false, false]);
    }

    #[test]
    fn references_resolve_by_name_then_index_then_image() {
        let s = vec![
            stage(0, "build", Base::Scratch, vec![]),
            stage(1, "", Base::Scratch, vec![]),
        ];
        assert_eq!(resolve(&s, 2, "Build"), Source::Stage(0));
        assert_eq!(resolve(&s, 2, "1"), Source::Stage(1));
        assert_eq!(resolve(&s, 1, "1"), Source::Image("1".into()));
        assert_eq!(resolve(&s, 2, "alpine"), Source::Image("alpine".into()));
        // A stage cannot name itself or a later stage.
        assert_eq!(resolve(&s, 0, "build"), Source::Image("build".into()));
    }
}
