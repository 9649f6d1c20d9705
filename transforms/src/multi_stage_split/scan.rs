//! The shared libraries the built files link, found during the build: a
//! step at the end of the build stage lists the Debian packages that own
//! every library the copied native files (`*.so`, Node addons, programs)
//! load, and
//! the runtime stage installs the ones it lacks. Used where the toolchain
//! image carries headers for many libraries, so that what a source build
//! linked cannot be told from the text.

/// Where the build stage leaves the list.
pub(super) const LIST: &str = "/tmp/dockopt-runtime-packages";

/// The build stage's step: `dirs` are the folders and files the runtime
/// stage copies; shared libraries and executables in them are read.
pub(super) fn build_step(dirs: &[String]) -> String {
    // Every part of the pipeline succeeds, so that it holds under
    // `pipefail` and next to other commands in one RUN.
    format!(
        "RUN find {} -type f \\( -name '*.so' -o -name '*.so.*' -o -name '*.node' -o -perm -u+x \\) \\\n    \
         -exec sh -c 'ldd \"$@\" 2>/dev/null; true' sh {{}} + \\\n    \
         | awk '$2 == \"=>\" && $3 ~ /^\\// {{ print $3; sub(\"^/usr\", \"\", $3); print $3; print \"/usr\" $3 }}' \\\n    \
         | sort -u | xargs -r sh -c 'dpkg -S \"$@\" 2>/dev/null; true' sh \\\n    \
         | awk -F': ' '!/^diversion/ {{ n = split($1, p, \", \"); for (i = 1; i <= n; i++) {{ sub(/:.*/, \"\", p[i]); print p[i] }} }}' \\\n    \
         | sort -u > {LIST}",
        dirs.join(" ")
    )
}

/// The runtime stage's step: installs the listed packages it lacks, and
/// `also`, the ones the table names.
pub(super) fn runtime_step(build: &str, also: &[String]) -> String {
    let extra = if also.is_empty() {
        String::new()
    } else {
        format!(" {}", also.join(" "))
    };
    format!(
        "RUN --mount=from={build},source={LIST},target={LIST} \\\n    \
         missing=$(for p in $(cat {LIST}){extra}; do dpkg -s \"$p\" >/dev/null 2>&1 || echo \"$p\"; done) \\\n    \
         && if [ -n \"$missing\" ]; then \\\n        \
         apt-get update && apt-get install -y --no-install-recommends $missing \\\n        \
         && rm -rf /var/lib/apt/lists/*; \\\n    fi"
    )
}

/// Whether a package-lock.json shows packages that run install scripts
/// (native builds) other than the `known` ones; `None` when it cannot
/// tell (no lock, or a lock from npm 6 that does not record them).
pub(super) fn node_install_scripts(
    lock: &serde_json::Value,
    known: &dyn Fn(&str) -> bool,
) -> Option<Vec<String>> {
    let packages = lock.get("packages")?.as_object()?;
    Some(
        packages
            .iter()
            .filter(|(_, v)| {
                v.get("hasInstallScript")
                    .and_then(serde_json::Value::as_bool)
                    == Some(true)
            })
            .map(|(k, _)| k.rsplit("node_modules/").next().unwrap_or(k).to_string())
            .filter(|name| !known(name))
            .collect(),
    )
}
