//! The transforms, one module each. Every module's doc comment is its
//! documentation page, `transforms/docs/<name>.md`: inside the crate, so
//! that the crate packages.

mod cost;
mod manifests;
mod run;
mod runtimes;
mod util;

pub mod apk;
pub mod apt;
pub mod base_digest;
pub mod build_secrets;
pub mod cache_mounts;
pub mod copy_after_installs;
pub mod copy_over_add;
pub mod dockerignore;
pub mod downloads;
pub mod exec_form;
pub mod hoist_manifests;
pub mod merge_runs;
pub mod multi_stage_split;
pub mod non_root_user;
pub mod npm_ci;
pub mod package_cache;
pub mod pip;
pub mod rpm;
pub mod workdir_over_cd;

use dockopt_engine::Transform;

/// Every transform, sorted by code.
pub static ALL: &[&dyn Transform] = &[
    &merge_runs::MergeRuns,
    &apt::Apt,
    &apk::Apk,
    &rpm::RpmPackages,
    &pip::Pip,
    &package_cache::PackageCache,
    &downloads::Downloads,
    &exec_form::ExecForm,
    &copy_over_add::CopyOverAdd,
    &workdir_over_cd::WorkdirOverCd,
    &hoist_manifests::HoistManifests,
    &cache_mounts::CacheMounts,
    &dockerignore::Dockerignore,
    &multi_stage_split::MultiStageSplit,
    &base_digest::BaseDigest,
    &non_root_user::NonRootUser,
    &build_secrets::BuildSecrets,
    &npm_ci::NpmCi,
    &copy_after_installs::CopyAfterInstalls,
];

/// Finds a transform by code or name.
pub fn find(key: &str) -> Option<&'static dyn Transform> {
    ALL.iter()
        .copied()
        .find(|t| t.code().eq_ignore_ascii_case(key) || t.name() == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_sorted() {
        let codes: Vec<_> = ALL.iter().map(|t| t.code()).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
        let mut names: Vec<_> = ALL.iter().map(|t| t.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        for t in ALL {
            assert!(t.code().starts_with("DKR") && t.code().len() == 6);
            assert!(t.docs().starts_with("# "), "{} docs need a title", t.name());
        }
    }
}
