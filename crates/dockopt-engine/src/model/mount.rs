//! Typed `RUN` flags: `--mount` values parsed the way BuildKit parses them
//! (`parseMount` and the checks its dispatcher adds), printed back to one
//! canonical flag, and `--network` / `--security`.

use std::fmt;

use super::words::go_quote;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MountType {
    Bind,
    Cache,
    Tmpfs,
    Secret,
    Ssh,
}

impl MountType {
    const ALL: [MountType; 5] = [
        MountType::Bind,
        MountType::Cache,
        MountType::Tmpfs,
        MountType::Secret,
        MountType::Ssh,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bind => "bind",
            Self::Cache => "cache",
            Self::Tmpfs => "tmpfs",
            Self::Secret => "secret",
            Self::Ssh => "ssh",
        }
    }

    /// Whether `mode`, `uid` and `gid` are allowed.
    fn takes_file_info(self) -> bool {
        matches!(self, Self::Secret | Self::Ssh | Self::Cache)
    }

    /// Read-only unless said otherwise: everything but caches and tmpfs.
    pub fn readonly_by_default(self) -> bool {
        !matches!(self, Self::Cache | Self::Tmpfs)
    }
}

impl fmt::Display for MountType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sharing {
    Shared,
    Private,
    Locked,
}

impl Sharing {
    const ALL: [Sharing; 3] = [Sharing::Shared, Sharing::Private, Sharing::Locked];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Shared => "shared",
            Self::Private => "private",
            Self::Locked => "locked",
        }
    }
}

/// One `--mount` value. Fields hold what was written (after expansion);
/// BuildKit's defaults are methods.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    pub kind: MountType,
    /// Stage, context or image to mount from.
    pub from: Option<String>,
    /// Path in `from` (or the context); for secrets, the secret's id.
    pub source: Option<String>,
    /// Mount path as written; see [`Mount::target_in`].
    pub target: Option<String>,
    /// Effective read-only state (the type's default unless written).
    pub readonly: bool,
    /// `id`: the cache id, or the secret or SSH id.
    pub id: Option<String>,
    pub sharing: Option<Sharing>,
    pub required: bool,
    /// Secret exposed as this environment variable.
    pub env: Option<String>,
    /// tmpfs size limit in bytes.
    pub size: Option<i64>,
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
}

/// A `--mount` or `RUN` flag that BuildKit rejects; `Display` gives its
/// message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MountError {
    /// The value is not one CSV record (`Csv("EOF")` for an empty value).
    Csv(String),
    /// A bare word other than `ro`, `rw`, `readonly`, `readwrite`, `required`.
    NotKeyValue(String),
    /// A key this mount type does not take (`required`, `size`).
    KeyNotForType {
        key: String,
        kind: MountType,
    },
    /// `from=` with a variable.
    FromExpansion,
    UnknownType {
        value: String,
        suggestion: Option<String>,
    },
    BadValue {
        key: String,
        value: String,
    },
    UnknownSharing {
        value: String,
        suggestion: Option<String>,
    },
    /// `mode`, `uid` or `gid` that is not a number.
    BadNumber {
        key: &'static str,
        value: String,
    },
    UnknownKey {
        key: String,
        field: String,
        suggestion: Option<String>,
    },
    /// `mode`, `uid` or `gid` on a bind or tmpfs mount.
    FileInfoNotAllowed {
        key: &'static str,
        kind: MountType,
    },
    SecretWithFrom,
    SecretWithSharing,
    SecretWithoutTarget,
    SecretSourceAndId,
    SharingNotCache(MountType),
    /// A target that resolves to `/`.
    RootTarget,
    /// Variable expansion failed (the expander's message).
    Expansion(String),
}

impl fmt::Display for MountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let suggest = |f: &mut fmt::Formatter<'_>, s: &Option<String>| match s {
            Some(s) => write!(f, " (did you mean {s}?)"),
            None => Ok(()),
        };
        match self {
            Self::Csv(e) => write!(f, "failed to parse csv mounts: {e}"),
            Self::NotKeyValue(field) => {
                write!(f, "invalid field '{field}' must be a key=value pair")
            }
            Self::KeyNotForType { key, kind } => {
                write!(f, "unexpected key '{key}' for mount type '{kind}'")
            }
            Self::FromExpansion => {
                f.write_str("'from' doesn't support variable expansion, define alias stage instead")
            }
            Self::UnknownType { value, suggestion } => {
                write!(f, "unsupported mount type {}", go_quote(value))?;
                suggest(f, suggestion)
            }
            Self::BadValue { key, value } => write!(f, "invalid value for {key}: {value}"),
            Self::UnknownSharing { value, suggestion } => {
                write!(f, "unsupported sharing value {}", go_quote(value))?;
                suggest(f, suggestion)
            }
            Self::BadNumber { key, value } => write!(f, "invalid value {value} for {key}"),
            Self::UnknownKey {
                key,
                field,
                suggestion,
            } => {
                write!(f, "unexpected key '{key}' in '{field}'")?;
                suggest(f, suggestion)
            }
            Self::FileInfoNotAllowed { key, kind } => {
                write!(
                    f,
                    "{key} not allowed for {} type mounts",
                    go_quote(kind.as_str())
                )
            }
            Self::SecretWithFrom => f.write_str("secret mount should not have a from"),
            Self::SecretWithSharing => f.write_str("secret mount should not define sharing"),
            Self::SecretWithoutTarget => {
                f.write_str("invalid secret mount. one of source, target required")
            }
            Self::SecretSourceAndId => f.write_str("both source and id can't be set"),
            Self::SharingNotCache(kind) => write!(f, "invalid cache sharing set for {kind} mount"),
            Self::RootTarget => f.write_str("invalid mount target \"/\""),
            Self::Expansion(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for MountError {}

/// Keys BuildKit lists when it suggests a spelling.
const KEYS: [&str; 19] = [
    "type",
    "from",
    "source",
    "target",
    "readonly",
    "id",
    "sharing",
    "required",
    "size",
    "mode",
    "uid",
    "gid",
    "src",
    "dst",
    "destination",
    "ro",
    "rw",
    "readwrite",
    "env",
];

impl Mount {
    /// Parses a `--mount` value without variable expansion.
    pub fn parse(value: &str) -> Result<Self, MountError> {
        Self::parse_with(value, &mut |v| Ok(v.to_string()))
    }

    /// Parses a `--mount` value, expanding each field's value (not its key)
    /// with `expand`, as BuildKit does at dispatch with the stage's env.
    pub fn parse_with(
        value: &str,
        expand: &mut dyn FnMut(&str) -> Result<String, String>,
    ) -> Result<Self, MountError> {
        let fields = csv_fields(value).map_err(MountError::Csv)?;
        // BuildKit rejects a variable in `from` before any expansion.
        for field in &fields {
            if let Some((key, v)) = field.split_once('=') {
                if key.eq_ignore_ascii_case("from") {
                    if let Some(i) = v.find('$') {
                        if i != v.len() - 1 {
                            return Err(MountError::FromExpansion);
                        }
                    }
                }
            }
        }
        let mut m = Mount {
            kind: MountType::Bind,
            from: None,
            source: None,
            target: None,
            readonly: false,
            id: None,
            sharing: None,
            required: false,
            env: None,
            size: None,
            mode: None,
            uid: None,
            gid: None,
        };
        let mut ro_auto = true;
        for field in &fields {
            let Some((key, raw)) = field.split_once('=') else {
                let key = field.to_lowercase();
                match key.as_str() {
                    "readonly" | "ro" => {
                        m.readonly = true;
                        ro_auto = false;
                    }
                    "readwrite" | "rw" => {
                        m.readonly = false;
                        ro_auto = false;
                    }
                    "required" if matches!(m.kind, MountType::Secret | MountType::Ssh) => {
                        m.required = true;
                    }
                    "required" => {
                        return Err(MountError::KeyNotForType { key, kind: m.kind });
                    }
                    _ => return Err(MountError::NotKeyValue(field.clone())),
                }
                continue;
            };
            let key = key.to_lowercase();
            let value = expand(raw).map_err(MountError::Expansion)?;
            m.set(&key, value, field, &mut ro_auto)?;
        }
        m.validate(ro_auto)?;
        Ok(m)
    }

    fn set(
        &mut self,
        key: &str,
        value: String,
        field: &str,
        ro_auto: &mut bool,
    ) -> Result<(), MountError> {
        let bad = |value: &str| MountError::BadValue {
            key: key.to_string(),
            value: value.to_string(),
        };
        match key {
            "type" => {
                let lower = value.to_lowercase();
                self.kind = MountType::ALL
                    .into_iter()
                    .find(|t| t.as_str() == lower)
                    .ok_or_else(|| MountError::UnknownType {
                        suggestion: suggest(&value, MountType::ALL.map(MountType::as_str)),
                        value,
                    })?;
            }
            "from" => self.from = Some(value),
            "source" | "src" => self.source = Some(value),
            "target" | "dst" | "destination" => self.target = Some(value),
            "readonly" | "ro" => {
                self.readonly = parse_go_bool(&value).ok_or_else(|| bad(&value))?;
                *ro_auto = false;
            }
            "readwrite" | "rw" => {
                self.readonly = !parse_go_bool(&value).ok_or_else(|| bad(&value))?;
                *ro_auto = false;
            }
            "required" if matches!(self.kind, MountType::Secret | MountType::Ssh) => {
                self.required = parse_go_bool(&value).ok_or_else(|| bad(&value))?;
            }
            "size" if self.kind == MountType::Tmpfs => {
                self.size = Some(ram_in_bytes(&value).ok_or_else(|| bad(&value))?);
            }
            "required" | "size" => {
                return Err(MountError::KeyNotForType {
                    key: key.to_string(),
                    kind: self.kind,
                })
            }
            "id" => self.id = Some(value),
            "sharing" => {
                let lower = value.to_lowercase();
                self.sharing = Some(
                    Sharing::ALL
                        .into_iter()
                        .find(|s| s.as_str() == lower)
                        .ok_or_else(|| MountError::UnknownSharing {
                            suggestion: suggest(&value, Sharing::ALL.map(Sharing::as_str)),
                            value,
                        })?,
                );
            }
            "mode" => {
                self.mode =
                    Some(parse_u32(&value, 8).ok_or(MountError::BadNumber { key: "mode", value })?);
            }
            "uid" => {
                self.uid =
                    Some(parse_u32(&value, 10).ok_or(MountError::BadNumber { key: "uid", value })?);
            }
            "gid" => {
                self.gid =
                    Some(parse_u32(&value, 10).ok_or(MountError::BadNumber { key: "gid", value })?);
            }
            "env" => self.env = Some(value),
            _ => {
                return Err(MountError::UnknownKey {
                    key: key.to_string(),
                    field: field.to_string(),
                    suggestion: suggest(key, KEYS),
                })
            }
        }
        Ok(())
    }

    fn validate(&mut self, ro_auto: bool) -> Result<(), MountError> {
        if !self.kind.takes_file_info() {
            for (key, set) in [
                ("mode", self.mode.is_some()),
                ("uid", self.uid.is_some()),
                ("gid", self.gid.is_some()),
            ] {
                if set {
                    return Err(MountError::FileInfoNotAllowed {
                        key,
                        kind: self.kind,
                    });
                }
            }
        }
        if ro_auto {
            self.readonly = self.kind.readonly_by_default();
        }
        // `required` read while an earlier `type=` was secret or ssh means
        // nothing once a later `type=` changes the kind.
        if !matches!(self.kind, MountType::Secret | MountType::Ssh) {
            self.required = false;
        }
        let non_empty = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
        if self.kind == MountType::Secret {
            if non_empty(&self.from) {
                return Err(MountError::SecretWithFrom);
            }
            if self.sharing.is_some() {
                return Err(MountError::SecretWithSharing);
            }
            if !non_empty(&self.source) && !non_empty(&self.target) && !non_empty(&self.id) {
                return Err(MountError::SecretWithoutTarget);
            }
            if non_empty(&self.source) && non_empty(&self.id) {
                return Err(MountError::SecretSourceAndId);
            }
        }
        if self.sharing.is_some() && self.kind != MountType::Cache {
            return Err(MountError::SharingNotCache(self.kind));
        }
        Ok(())
    }

    /// The cache's id: `id`, or the target as written, cleaned (not
    /// resolved against WORKDIR). `None` for other mount types.
    pub fn cache_id(&self) -> Option<String> {
        if self.kind != MountType::Cache {
            return None;
        }
        match self.id.as_deref() {
            Some(id) if !id.is_empty() => Some(id.to_string()),
            _ => Some(crate::dockerignore::clean(
                self.target.as_deref().unwrap_or(""),
            )),
        }
    }

    /// The secret's or SSH agent's id: `source`, else `id`, else the target's
    /// base name (secrets) or `default` (SSH).
    pub fn secret_id(&self) -> Option<String> {
        let pick = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        match self.kind {
            MountType::Secret => pick(&self.source)
                .or_else(|| pick(&self.id))
                .or_else(|| pick(&self.target).map(|t| base_name(&t).to_string())),
            MountType::Ssh => Some(pick(&self.id).unwrap_or_else(|| "default".to_string())),
            _ => None,
        }
    }

    /// Where the mount appears in the container, for a step run in
    /// `workdir`. `Ok(None)` where BuildKit picks the path (an SSH socket
    /// without a target) or there is none (a secret only in `env`).
    pub fn target_in(&self, workdir: &str) -> Result<Option<String>, MountError> {
        let target = self.target.as_deref().filter(|t| !t.is_empty());
        match self.kind {
            MountType::Secret => Ok(match target {
                Some(t) => Some(t.to_string()),
                None if self.env.is_some() => None,
                None => self
                    .secret_id()
                    .map(|id| format!("/run/secrets/{}", base_name(&id))),
            }),
            MountType::Ssh => Ok(target.map(str::to_string)),
            _ => {
                // As BuildKit: an absolute target is checked as written, a
                // relative one after joining it to WORKDIR.
                let t = self.target.as_deref().unwrap_or("");
                let cleaned = crate::dockerignore::clean(t);
                let (abs, root) = if cleaned.starts_with('/') {
                    let root = t == "/";
                    (cleaned, root)
                } else {
                    let joined = crate::dockerignore::clean(&format!("/{workdir}/{t}"));
                    let root = joined == "/";
                    (joined, root)
                };
                if root {
                    return Err(MountError::RootTarget);
                }
                Ok(Some(abs))
            }
        }
    }

    /// The value in one canonical form: `type` first, then the fields that
    /// differ from BuildKit's defaults, in a fixed order.
    pub fn to_value(&self) -> String {
        let mut fields: Vec<String> = vec![format!("type={}", self.kind)];
        let mut push = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                fields.push(format!("{k}={v}"));
            }
        };
        push("id", &self.id);
        push("from", &self.from);
        push("source", &self.source);
        push("target", &self.target);
        push("sharing", &self.sharing.map(|s| s.as_str().to_string()));
        push("env", &self.env);
        push("size", &self.size.map(|s| s.to_string()));
        push("mode", &self.mode.map(|m| format!("0{m:o}")));
        push("uid", &self.uid.map(|u| u.to_string()));
        push("gid", &self.gid.map(|g| g.to_string()));
        if self.readonly != self.kind.readonly_by_default() {
            fields.push(if self.readonly { "ro" } else { "rw" }.to_string());
        }
        if self.required {
            fields.push("required".to_string());
        }
        fields
            .iter()
            .map(|f| csv_quote(f))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The whole flag, `--mount=...`, escaped for the Dockerfile's flag
    /// reader (which removes quotes and backslashes before CSV parsing).
    pub fn to_flag(&self) -> String {
        let value = self.to_value();
        let mut out = String::with_capacity(value.len() + 8);
        out.push_str("--mount=");
        for c in value.chars() {
            if c == '\\' || c == '\'' || c == '"' || c.is_whitespace() {
                out.push('\\');
            }
            out.push(c);
        }
        out
    }
}

fn base_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.is_empty() { "." } else { "/" };
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

fn csv_quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// One CSV record as BuildKit's `csvvalue.Fields` reads it; errors are
/// Go's `csv.ParseError` text.
fn csv_fields(line: &str) -> Result<Vec<String>, String> {
    let line = line
        .strip_suffix("\r\n")
        .or_else(|| line.strip_suffix('\n'))
        .unwrap_or(line);
    if line.is_empty() {
        return Err("EOF".to_string());
    }
    let err = |col: usize, quoted: bool| {
        let what = if quoted {
            "extraneous or missing \" in quoted-field"
        } else {
            "bare \" in non-quoted-field"
        };
        format!("parse error on line 1, column {}: {what}", col + 1)
    };
    let mut fields = Vec::new();
    let mut rest = line;
    let mut pos = 0;
    loop {
        if !rest.starts_with('"') {
            let end = rest.find(',');
            let field = &rest[..end.unwrap_or(rest.len())];
            if let Some(j) = field.find('"') {
                return Err(err(pos + j, false));
            }
            fields.push(field.to_string());
            match end {
                Some(i) => {
                    rest = &rest[i + 1..];
                    pos += i + 1;
                    continue;
                }
                None => return Ok(fields),
            }
        }
        rest = &rest[1..];
        pos += 1;
        let mut field = String::new();
        loop {
            let Some(i) = rest.find('"') else {
                return Err(err(pos, true));
            };
            field.push_str(&rest[..i]);
            rest = &rest[i + 1..];
            pos += i + 1;
            if let Some(r) = rest.strip_prefix('"') {
                field.push('"');
                rest = r;
                pos += 1;
            } else if let Some(r) = rest.strip_prefix(',') {
                fields.push(field);
                rest = r;
                pos += 1;
                break;
            } else if rest.is_empty() {
                fields.push(field);
                return Ok(fields);
            } else {
                return Err(err(pos - 1, true));
            }
        }
    }
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `strconv.ParseUint(s, radix, 32)`: digits only, no sign or prefix.
fn parse_u32(s: &str, radix: u32) -> Option<u32> {
    if s.is_empty() || !s.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u32::from_str_radix(s, radix).ok()
}

/// docker/go-units `RAMInBytes`: a number, an optional space, and an
/// optional binary unit (`k`, `m`, `g`, `t`, `p`, with an optional `b` or
/// `ib`), case-insensitive.
fn ram_in_bytes(s: &str) -> Option<i64> {
    let sep = s.rfind(|c: char| c.is_ascii_digit() || c == '.' || c == ' ')?;
    let (num, suffix) = if s.as_bytes()[sep] == b' ' {
        (&s[..sep], &s[sep + 1..])
    } else {
        (&s[..=sep], &s[sep + 1..])
    };
    let size: f64 = parse_go_float(num)?;
    if size < 0.0 {
        return None;
    }
    let suffix = suffix.to_ascii_lowercase();
    let mul: f64 = match suffix.as_bytes() {
        [] | [b'b'] => 1.0,
        [u, rest @ ..] => {
            let mul = match u {
                b'k' => 1024.0,
                b'm' => 1_048_576.0,
                b'g' => 1_073_741_824.0,
                b't' => 1_099_511_627_776.0,
                b'p' => 1_125_899_906_842_624.0,
                _ => return None,
            };
            if !matches!(rest, [] | [b'b'] | [b'i', b'b']) {
                return None;
            }
            mul
        }
    };
    #[allow(clippy::cast_possible_truncation)] // Go's int64(float64) truncates too
    Some((size * mul) as i64)
}

/// Go's `strconv.ParseFloat` for the decimal forms a size uses.
fn parse_go_float(s: &str) -> Option<f64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let ok = !digits.is_empty()
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    if !ok {
        return None;
    }
    s.parse().ok()
}

/// BuildKit's spelling suggestion: the closest option within edit
/// distance 2.
fn suggest<const N: usize>(value: &str, options: [&str; N]) -> Option<String> {
    let mut best = None;
    let mut min = 3;
    for opt in options {
        if opt == value {
            return None;
        }
        let d = levenshtein(value, opt);
        if d < min {
            min = d;
            best = Some(opt.to_string());
        }
    }
    best
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// `RUN --network`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Network {
    #[default]
    Default,
    None,
    Host,
}

impl Network {
    pub fn parse(value: &str) -> Result<Self, RunFlagError> {
        match value {
            "default" => Ok(Self::Default),
            "none" => Ok(Self::None),
            "host" => Ok(Self::Host),
            _ => Err(RunFlagError::Network(value.to_string())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::None => "none",
            Self::Host => "host",
        }
    }
}

/// `RUN --security`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Security {
    #[default]
    Sandbox,
    Insecure,
}

impl Security {
    pub fn parse(value: &str) -> Result<Self, RunFlagError> {
        match value {
            "sandbox" => Ok(Self::Sandbox),
            "insecure" => Ok(Self::Insecure),
            _ => Err(RunFlagError::Security(value.to_string())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sandbox => "sandbox",
            Self::Insecure => "insecure",
        }
    }
}

/// A `RUN` flag BuildKit rejects; `Display` gives its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunFlagError {
    Network(String),
    Security(String),
    UnknownFlag(String),
    MissingValue(String),
    Duplicate(String),
    NotAFlag(String),
    Mount(MountError),
}

impl fmt::Display for RunFlagError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Network(v) => write!(f, "invalid network mode {}", go_quote(v)),
            Self::Security(v) => write!(f, "security {} is not valid", go_quote(v)),
            Self::UnknownFlag(n) => write!(f, "unknown flag: {n}"),
            Self::MissingValue(n) => write!(f, "missing a value on flag: {n}"),
            Self::Duplicate(n) => write!(f, "duplicate flag specified: {n}"),
            Self::NotAFlag(a) => write!(f, "arg should start with -- : {a}"),
            Self::Mount(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for RunFlagError {}

/// The flags of one `RUN`, as BuildKit's flag parser reads them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunFlags {
    pub mounts: Vec<Mount>,
    pub network: Network,
    pub security: Security,
    /// `--device` values, kept as written.
    pub devices: Vec<String>,
}

impl RunFlags {
    /// Parses flag words such as `--mount=type=cache,target=/x` (quotes and
    /// escapes already removed by the Dockerfile reader), without variable
    /// expansion.
    pub fn parse<S: AsRef<str>>(args: &[S]) -> Result<Self, RunFlagError> {
        let mut out = Self::default();
        let mut seen: Vec<&str> = Vec::new();
        for arg in args {
            let arg = arg.as_ref();
            let Some(body) = arg.strip_prefix("--") else {
                return Err(RunFlagError::NotAFlag(arg.to_string()));
            };
            if body.is_empty() {
                break;
            }
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (body, None),
            };
            if !matches!(name, "mount" | "network" | "security" | "device") {
                return Err(RunFlagError::UnknownFlag(name.to_string()));
            }
            let single = matches!(name, "network" | "security");
            if single && seen.contains(&name) {
                return Err(RunFlagError::Duplicate(name.to_string()));
            }
            seen.push(name);
            let Some(value) = value else {
                return Err(RunFlagError::MissingValue(name.to_string()));
            };
            match name {
                "mount" => out
                    .mounts
                    .push(Mount::parse(value).map_err(RunFlagError::Mount)?),
                "network" => out.network = Network::parse(value)?,
                "security" => out.security = Security::parse(value)?,
                _ => out.devices.push(value.to_string()),
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
#[path = "mount_tests.rs"]
mod tests;
