//! C and C++ built with the gcc images: make, cmake or the compiler.

use dockopt_engine::Cx;

use super::files::{
    absolute, calls, context_copies, context_text, from_build, only_builds, runs, under,
};
use super::{command, Input, Split};

/// Where the gcc images tell the loader about their own libraries.
const GCC_LD_CONF: &str = "/etc/ld.so.conf.d/000-local-lib.conf";

/// Libraries every C program may link on a Debian slim base.
const LIBC_PARTS: &[&str] = &["m", "pthread", "dl", "rt", "c", "stdc++"];

/// Whether a build file or command builds C++; a reason to refuse when it
/// links a library beyond libc and libstdc++.
fn c_links(text: &str, file: &str) -> Result<bool, String> {
    let cpp = ["g++", "c++", "clang++", "CXX", ".cpp", ".cc"]
        .iter()
        .any(|t| text.contains(*t));
    for word in text.split(|c: char| c.is_whitespace() || c == '"' || c == '(' || c == ')') {
        if let Some(lib) = word.strip_prefix("-l").filter(|l| !l.is_empty()) {
            if !LIBC_PARTS.contains(&lib) {
                return Err(format!(
                    "{file} links -l{lib}, which the slim base may lack"
                ));
            }
        }
    }
    for t in [
        "find_package",
        "pkg_check_modules",
        "pkg-config",
        "target_link_libraries",
    ] {
        if text.contains(t) {
            return Err(format!(
                "{file} uses {t}: what the binary links cannot be enumerated"
            ));
        }
    }
    Ok(cpp)
}

/// The files a Makefile's `install` recipe writes, when it is one command.
fn make_installs_one(makefile: &str) -> bool {
    let mut lines = makefile
        .lines()
        .skip_while(|l| !l.starts_with("install:"))
        .skip(1);
    let recipe: Vec<&str> = lines
        .by_ref()
        .take_while(|l| l.starts_with('\t'))
        .map(str::trim)
        .filter(|l| !l.starts_with("mkdir") && !l.starts_with("@echo") && !l.is_empty())
        .collect();
    recipe.len() == 1 && (recipe[0].starts_with("install ") || recipe[0].starts_with("cp "))
}

/// The binary a `make install` or `cmake --install` writes: the command's
/// absolute path, when the install writes that one file and nothing else.
fn installed(cx: &Cx<'_>, file: &str, first: &str) -> Result<String, String> {
    let text = context_text(cx, file).ok_or(format!("{file} is not in the build context"))?;
    let one = if file == "Makefile" {
        make_installs_one(&text)
    } else {
        text.matches("install(").count() == 1 && text.contains("install(TARGETS")
    };
    if !one || !first.starts_with('/') {
        return Err(format!(
            "what the {file} install writes outside the application directory cannot be enumerated"
        ));
    }
    Ok(first.to_string())
}

pub(super) fn c(input: Input<'_, '_>, image: &str) -> Result<Split, String> {
    let (cx, stage, app) = input.parts();
    let app = app.ok_or("no WORKDIR: the application directory is unknown")?;
    only_builds(
        cx,
        stage,
        &["make", "cmake", "gcc", "cc", "g++", "c++", "clang", "strip"],
        Some(app),
        &[],
    )?;
    let mut binary = None;
    let mut installs = None;
    let mut cpp = false;
    for c in calls(cx, stage, None) {
        let args = &c.args;
        let words = format!("{} {}", c.name, args.join(" "));
        cpp |= c_links(&words, &format!("the RUN at line {}", c.line))?;
        match c.name.as_str() {
            "gcc" | "cc" | "g++" | "c++" | "clang" => {
                if let Some(o) = args
                    .iter()
                    .position(|a| a == "-o")
                    .and_then(|i| args.get(i + 1))
                {
                    binary = Some(absolute(&c.wd, o));
                }
            }
            "make" if args.iter().any(|a| a == "install") => installs = Some("Makefile"),
            "cmake" if args.iter().any(|a| a == "--install") => {
                installs = Some("CMakeLists.txt");
            }
            "make" | "cmake" => {
                let file = if c.name == "make" {
                    "Makefile"
                } else {
                    "CMakeLists.txt"
                };
                let text =
                    context_text(cx, file).ok_or(format!("{file} is not in the build context"))?;
                cpp |= c_links(&text, file)?;
            }
            _ => {}
        }
    }
    let (words, _) = command(stage).expect("checked");
    let first = words.first().ok_or("no command")?;
    if let Some(file) = installs {
        binary = Some(installed(cx, file, first)?);
    }
    if binary.is_none() && first.contains('/') && under(&absolute(app, first), app) {
        binary = Some(absolute(app, first));
    }
    let binary = binary.ok_or(
        "the binary cannot be located: name it with -o, or run it from the application directory",
    )?;
    if !runs(&words, &binary, Some(app)) {
        return Err("the container command does not run the built binary".into());
    }
    let runtime = input.runtime_image(false)?;
    let mut keep = vec![app.to_string()];
    if !under(&binary, app) {
        keep.push(binary);
    }
    let mut copies = from_build(&keep);
    let mut after = Vec::new();
    if cpp && image != "gcc" {
        return Err(
            "C++ on a toolchain image other than gcc: where its libstdc++ lives is unknown".into(),
        );
    }
    if cpp {
        // The gcc images build their own GCC: a C++ program needs that
        // libstdc++ and libgcc_s, found through the image's ld.so entry.
        copies.extend([
            (
                "/usr/local/lib64/libstdc++.so.6*".into(),
                "/usr/local/lib64/".into(),
            ),
            (
                "/usr/local/lib64/libgcc_s.so.1".into(),
                "/usr/local/lib64/".into(),
            ),
            (GCC_LD_CONF.into(), GCC_LD_CONF.into()),
        ]);
        after.push("RUN ldconfig".to_string());
    }
    Ok(Split {
        runtime,
        lines: context_copies(&input, &[app])?,
        copies,
        after,
        ..Split::default()
    })
}
