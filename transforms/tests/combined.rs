//! Transforms together: whatever order their fixes land in, the result keeps
//! every win each would have had alone (hoisting is not undone by merges,
//! mounts do not stop merges, the split keeps the hoist).

use dockopt_engine::{pipeline, BuildContext, MemoryFs, Settings};

fn fix(src: &str, fs: &MemoryFs, unsafe_fixes: bool) -> String {
    let ctx = BuildContext::new(fs, None);
    let settings = Settings {
        unsafe_fixes,
        ..Settings::default()
    };
    let out = pipeline::fix(
        src.as_bytes(),
        dockopt_transforms::ALL,
        &settings,
        Some(&ctx),
    );
    assert!(out.failure.is_none(), "{:?}", out.failure);
    // A second run changes nothing.
    let again = pipeline::fix(&out.output, dockopt_transforms::ALL, &settings, Some(&ctx));
    assert_eq!(again.output, out.output, "a second fix changed the file");
    String::from_utf8(out.output).unwrap()
}

fn python_app() -> MemoryFs {
    MemoryFs::new()
        .with("requirements.txt", "django==5.0\n")
        .with("manage.py", "print('hi')\n")
        .with("app/views.py", "x = 1\n")
}

/// The position of the first line containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no {needle:?} in\n{text}"))
}

#[test]
fn installs_stay_apart_so_the_hoist_applies() {
    let src = "\
FROM python:3.12-slim
WORKDIR /app
COPY . /app
RUN pip install --upgrade pip
RUN pip install -r requirements.txt
CMD [\"python\", \"manage.py\", \"runserver\"]
";
    for unsafe_fixes in [false, true] {
        let out = fix(src, &python_app(), unsafe_fixes);
        let manifests = line_of(&out, "COPY requirements.txt");
        let broad = line_of(&out, "COPY . /app");
        let install = line_of(&out, "-r requirements.txt");
        assert!(manifests < install && install < broad, "{out}");
    }
}

#[test]
fn the_split_keeps_the_hoist() {
    let src = "\
FROM python:3.11
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
CMD [\"python\", \"manage.py\", \"runserver\", \"0.0.0.0:8000\"]
";
    let out = fix(src, &python_app(), true);
    assert!(out.contains("AS build"), "{out}");
    let install = line_of(&out, "-r requirements.txt");
    let broad = line_of(&out, "COPY . .");
    assert!(
        install < broad,
        "the install stays above the broad COPY:\n{out}"
    );
}

#[test]
fn mounts_and_merges_agree() {
    let src = "\
FROM debian:bookworm-slim
RUN apt-get update
# the tools
RUN apt-get install -y --no-install-recommends curl
CMD [\"curl\", \"--version\"]
";
    let out = fix(src, &MemoryFs::new(), true);
    let runs = out.lines().filter(|l| l.starts_with("RUN")).count();
    assert_eq!(runs, 1, "update and install are one RUN:\n{out}");
    assert!(
        out.contains("--mount=type=cache,target=/var/lib/apt"),
        "{out}"
    );
}

#[test]
fn expensive_steps_are_not_merged_into_each_other() {
    let src = "\
FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends build-essential
RUN pip install torch==2.3.0
RUN pip install flask gunicorn
";
    let out = fix(src, &MemoryFs::new(), false);
    assert_eq!(
        out.lines().filter(|l| l.starts_with("RUN")).count(),
        3,
        "{out}"
    );
}
