//! What the model knows of well-known base images: the working directory,
//! user and environment their configuration sets. Anything not listed is
//! left unknown, never guessed.

/// Facts about one image's configuration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    pub workdir: Option<&'static str>,
    pub user: Option<&'static str>,
    /// Variables the image sets that change where tools keep files.
    pub env: &'static [(&'static str, &'static str)],
}

/// Official images, by repository name. The environment lists only keys
/// that decide paths dockopt reasons about.
const OFFICIAL: &[(&str, Facts)] = &[
    (
        "golang",
        Facts {
            workdir: Some("/go"),
            user: Some("root"),
            env: &[("GOPATH", "/go"), ("GOTOOLCHAIN", "local")],
        },
    ),
    (
        "rust",
        Facts {
            workdir: Some("/"),
            user: Some("root"),
            env: &[
                ("RUSTUP_HOME", "/usr/local/rustup"),
                ("CARGO_HOME", "/usr/local/cargo"),
            ],
        },
    ),
    (
        "python",
        Facts {
            workdir: Some("/"),
            user: Some("root"),
            env: &[],
        },
    ),
    (
        "node",
        Facts {
            workdir: Some("/"),
            user: Some("root"),
            env: &[],
        },
    ),
    (
        "ruby",
        Facts {
            workdir: Some("/"),
            user: Some("root"),
            env: &[
                ("GEM_HOME", "/usr/local/bundle"),
                ("BUNDLE_APP_CONFIG", "/usr/local/bundle"),
            ],
        },
    ),
    (
        "php",
        Facts {
            workdir: Some("/var/www/html"),
            user: Some("root"),
            env: &[],
        },
    ),
    (
        "wordpress",
        Facts {
            workdir: Some("/var/www/html"),
            user: Some("root"),
            env: &[],
        },
    ),
    (
        "httpd",
        Facts {
            workdir: Some("/usr/local/apache2"),
            user: Some("root"),
            env: &[],
        },
    ),
    (
        "tomcat",
        Facts {
            workdir: Some("/usr/local/tomcat"),
            user: Some("root"),
            env: &[],
        },
    ),
    (
        "maven",
        Facts {
            workdir: Some("/"),
            user: Some("root"),
            env: &[("MAVEN_CONFIG", "/root/.m2")],
        },
    ),
    (
        "debian",
        Facts {
            workdir: Some("/"),
            user: Some("root"),
            env: &[],
        },
    ),
    (
        "ubuntu",
        Facts {
            workdir: Some("/"),
            user: Some("root"),
            env: &[],
        },
    ),
    (
        "alpine",
        Facts {
            workdir: Some("/"),
            user: Some("root"),
            env: &[],
        },
    ),
    (
        "nginx",
        Facts {
            workdir: Some("/"),
            user: Some("root"),
            env: &[],
        },
    ),
    (
        "eclipse-temurin",
        Facts {
            workdir: Some("/"),
            user: Some("root"),
            env: &[("JAVA_HOME", "/opt/java/openjdk")],
        },
    ),
];

/// The repository of an image reference without registry, `library/`, tag
/// or digest: `docker.io/library/node:20-slim` gives `node`.
pub fn repository(reference: &str) -> &str {
    let no_digest = reference.split('@').next().unwrap_or(reference);
    let last_slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    let name_end = no_digest[last_slash..]
        .find(':')
        .map_or(no_digest.len(), |i| last_slash + i);
    let path = &no_digest[..name_end];
    let path = path
        .strip_prefix("docker.io/")
        .or_else(|| path.strip_prefix("index.docker.io/"))
        .unwrap_or(path);
    path.strip_prefix("library/").unwrap_or(path)
}

/// Facts for an image reference; empty for images not listed.
pub fn facts(reference: &str) -> Facts {
    let repo = repository(reference);
    OFFICIAL
        .iter()
        .find(|(name, _)| *name == repo)
        .map(|(_, f)| *f)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories() {
        assert_eq!(repository("node:20-slim"), "node");
        assert_eq!(
            repository("docker.io/library/golang:1.22@sha256:ab"),
            "golang"
        );
        assert_eq!(repository("ghcr.io/acme/golang:1"), "ghcr.io/acme/golang");
        assert_eq!(repository("localhost:5000/app"), "localhost:5000/app");
        assert_eq!(facts("golang:1.22-bookworm").workdir, Some("/go"));
        assert_eq!(facts("ghcr.io/acme/golang:1").workdir, None);
    }
}
