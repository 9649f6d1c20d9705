use super::*;

/// `--mount` values and what BuildKit makes of them: the canonical value
/// this module prints, or BuildKit's error message.
#[test]
fn mount_table() {
    let cases: &[(&str, Result<&str, &str>)] = &[
        // Defaults: bind, read-only.
        ("target=/src", Ok("type=bind,target=/src")),
        ("type=bind,source=.,target=/src,rw", Ok("type=bind,source=.,target=/src,rw")),
        ("type=bind,dst=/x,readonly=false", Ok("type=bind,target=/x,rw")),
        ("type=bind,destination=/x,readwrite=true", Ok("type=bind,target=/x,rw")),
        ("type=bind,target=/x,ro", Ok("type=bind,target=/x")),
        ("TYPE=CACHE,Target=/root/.cache", Ok("type=cache,target=/root/.cache")),
        ("type=cache,target=/var/cache/apt,sharing=locked", Ok("type=cache,target=/var/cache/apt,sharing=locked")),
        ("type=cache,id=pip,target=/root/.cache/pip,uid=1000,gid=1000,mode=0755", Ok("type=cache,id=pip,target=/root/.cache/pip,mode=0755,uid=1000,gid=1000")),
        ("type=cache,target=/x,ro", Ok("type=cache,target=/x,ro")),
        ("type=cache,target=/x,from=builder,source=/cache", Ok("type=cache,from=builder,source=/cache,target=/x")),
        ("type=tmpfs,target=/tmp,size=64m", Ok("type=tmpfs,target=/tmp,size=67108864")),
        ("type=tmpfs,target=/tmp,size=1.5 GiB", Ok("type=tmpfs,target=/tmp,size=1610612736")),
        ("type=tmpfs,target=/tmp,size=100", Ok("type=tmpfs,target=/tmp,size=100")),
        ("type=secret,id=aws,target=/root/.aws/credentials", Ok("type=secret,id=aws,target=/root/.aws/credentials")),
        ("type=secret,id=API_KEY,env=API_KEY", Ok("type=secret,id=API_KEY,env=API_KEY")),
        ("type=secret,id=tok,required", Ok("type=secret,id=tok,required")),
        ("type=secret,id=tok,required=true,mode=0440", Ok("type=secret,id=tok,mode=0440,required")),
        ("type=ssh", Ok("type=ssh")),
        ("type=ssh,id=gitlab,required=1", Ok("type=ssh,id=gitlab,required")),
        ("type=bind,\"target=/a,b\"", Ok("type=bind,\"target=/a,b\"")),
        // Errors, with BuildKit's messages.
        ("", Err("failed to parse csv mounts: EOF")),
        ("type=bind,tar\"get=/x", Err("failed to parse csv mounts: parse error on line 1, column 14: bare \" in non-quoted-field")),
        ("\"type=bind", Err("failed to parse csv mounts: parse error on line 1, column 2: extraneous or missing \" in quoted-field")),
        ("type=volume,target=/x", Err("unsupported mount type \"volume\"")),
        ("type=cach,target=/x", Err("unsupported mount type \"cach\" (did you mean cache?)")),
        ("type=cache,tagret=/x", Err("unexpected key 'tagret' in 'tagret=/x' (did you mean target?)")),
        ("type=cache,nonsense=1", Err("unexpected key 'nonsense' in 'nonsense=1'")),
        ("type=cache,target", Err("invalid field 'target' must be a key=value pair")),
        ("type=cache,target=/x,sharing=exclusive", Err("unsupported sharing value \"exclusive\"")),
        ("type=cache,target=/x,sharing=lockd", Err("unsupported sharing value \"lockd\" (did you mean locked?)")),
        ("type=bind,target=/x,sharing=locked", Err("invalid cache sharing set for bind mount")),
        ("type=cache,target=/x,mode=999", Err("invalid value 999 for mode")),
        ("type=cache,target=/x,uid=-1", Err("invalid value -1 for uid")),
        ("type=cache,target=/x,gid=root", Err("invalid value root for gid")),
        ("type=bind,target=/x,mode=0755", Err("mode not allowed for \"bind\" type mounts")),
        ("type=tmpfs,target=/x,uid=1", Err("uid not allowed for \"tmpfs\" type mounts")),
        ("type=bind,target=/x,ro=maybe", Err("invalid value for ro: maybe")),
        ("type=cache,target=/x,required", Err("unexpected key 'required' for mount type 'cache'")),
        ("required,type=secret,id=x", Err("unexpected key 'required' for mount type 'bind'")),
        ("type=cache,target=/x,size=1g", Err("unexpected key 'size' for mount type 'cache'")),
        ("type=tmpfs,target=/x,size=lots", Err("invalid value for size: lots")),
        ("type=tmpfs,target=/x,size=1x", Err("invalid value for size: 1x")),
        ("type=secret", Err("invalid secret mount. one of source, target required")),
        ("type=secret,id=a,source=b", Err("both source and id can't be set")),
        ("type=secret,id=a,from=stage", Err("secret mount should not have a from")),
        ("type=secret,id=a,sharing=shared", Err("secret mount should not define sharing")),
        ("type=bind,from=$STAGE,target=/x", Err("'from' doesn't support variable expansion, define alias stage instead")),
    ];
    let mut failures = Vec::new();
    for (input, want) in cases {
        let got = Mount::parse(input)
            .map(|m| m.to_value())
            .map_err(|e| e.to_string());
        let want = want.map(str::to_string).map_err(str::to_string);
        if got != want {
            failures.push(format!("{input:?}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn canonical_value_parses_back_to_the_same_mount() {
    for input in [
        "type=cache,id=pip,target=/root/.cache/pip,uid=1000,gid=1000,mode=0755,sharing=private",
        "type=secret,id=tok,target=/run/tok,required,env=TOKEN",
        "type=bind,from=build,source=/out,target=/in,rw",
        "type=tmpfs,target=/t,size=1k",
        "type=bind,\"target=/a,b\",\"source=x\"\"y\"",
    ] {
        let m = Mount::parse(input).unwrap();
        assert_eq!(Mount::parse(&m.to_value()).unwrap(), m, "{input}");
    }
}

#[test]
fn flag_text_escapes_what_the_flag_reader_removes() {
    let m = Mount::parse("type=bind,\"target=/a b,c\"").unwrap();
    assert_eq!(m.to_flag(), "--mount=type=bind,\\\"target=/a\\ b,c\\\"");
    let plain = Mount::parse("type=cache,target=/root/.npm").unwrap();
    assert_eq!(plain.to_flag(), "--mount=type=cache,target=/root/.npm");
}

#[test]
fn buildkit_defaults() {
    let cache = Mount::parse("type=cache,target=node_modules/").unwrap();
    assert_eq!(cache.cache_id().as_deref(), Some("node_modules"));
    assert_eq!(
        cache.target_in("/app").unwrap().as_deref(),
        Some("/app/node_modules")
    );
    assert!(!cache.readonly);
    let named = Mount::parse("type=cache,id=npm,target=/root/.npm").unwrap();
    assert_eq!(named.cache_id().as_deref(), Some("npm"));

    let bind = Mount::parse("source=go.sum,target=go.sum").unwrap();
    assert!(bind.readonly);
    assert_eq!(bind.cache_id(), None);
    assert_eq!(bind.target_in("/").unwrap().as_deref(), Some("/go.sum"));
    assert_eq!(
        Mount::parse("target=.").unwrap().target_in("/"),
        Err(MountError::RootTarget)
    );
    assert_eq!(
        Mount::parse("target=/").unwrap().target_in("/app"),
        Err(MountError::RootTarget)
    );

    let secret = Mount::parse("type=secret,target=/root/.netrc").unwrap();
    assert_eq!(secret.secret_id().as_deref(), Some(".netrc"));
    let by_id = Mount::parse("type=secret,id=npmrc").unwrap();
    assert_eq!(
        by_id.target_in("/").unwrap().as_deref(),
        Some("/run/secrets/npmrc")
    );
    let env_only = Mount::parse("type=secret,id=TOKEN,env=TOKEN").unwrap();
    assert_eq!(env_only.target_in("/").unwrap(), None);
    let ssh = Mount::parse("type=ssh").unwrap();
    assert_eq!(ssh.secret_id().as_deref(), Some("default"));
    assert_eq!(ssh.target_in("/").unwrap(), None);
}

#[test]
fn values_are_expanded_keys_are_not() {
    let mut expand = |v: &str| Ok(v.replace("$DIR", "/cache"));
    let m = Mount::parse_with("type=cache,target=$DIR/pip", &mut expand).unwrap();
    assert_eq!(m.target.as_deref(), Some("/cache/pip"));
    let mut fail =
        |_: &str| Err("failed to process \"${X?}\": X: is not allowed to be unset".to_string());
    let err = Mount::parse_with("type=cache,target=${X?}", &mut fail).unwrap_err();
    assert_eq!(
        err.to_string(),
        "failed to process \"${X?}\": X: is not allowed to be unset"
    );
    // A `$` at the very end of `from` is allowed.
    assert_eq!(
        Mount::parse("from=a$,target=/x").unwrap().from.as_deref(),
        Some("a$")
    );
}

#[test]
fn run_flags_table() {
    let ok = RunFlags::parse(&[
        "--mount=type=cache,target=/root/.cache",
        "--network=none",
        "--security=insecure",
        "--mount=type=secret,id=x",
    ])
    .unwrap();
    assert_eq!(ok.mounts.len(), 2);
    assert_eq!(ok.network, Network::None);
    assert_eq!(ok.security, Security::Insecure);
    assert_eq!(RunFlags::parse::<&str>(&[]).unwrap(), RunFlags::default());
    assert_eq!(Network::parse("host"), Ok(Network::Host));
    assert_eq!(Network::parse("default"), Ok(Network::Default));
    assert_eq!(Security::parse("sandbox"), Ok(Security::Sandbox));

    let errors: &[(&[&str], &str)] = &[
        (&["--network=bridge"], "invalid network mode \"bridge\""),
        (&["--network=NONE"], "invalid network mode \"NONE\""),
        (
            &["--security=privileged"],
            "security \"privileged\" is not valid",
        ),
        (&["--network"], "missing a value on flag: network"),
        (
            &["--network=none", "--network=host"],
            "duplicate flag specified: network",
        ),
        (&["--mounts=type=cache"], "unknown flag: mounts"),
        (
            &["--mount=type=cache,target=/x,sharing=no"],
            "unsupported sharing value \"no\"",
        ),
        (&["-mount=x"], "arg should start with -- : -mount=x"),
    ];
    for (args, message) in errors {
        let err = RunFlags::parse(args).unwrap_err();
        assert_eq!(err.to_string(), *message, "{args:?}");
    }
}

#[test]
fn sizes_follow_go_units() {
    for (text, bytes) in [
        ("0", Some(0)),
        ("32", Some(32)),
        ("32b", Some(32)),
        ("32 B", Some(32)),
        ("32k", Some(32 * 1024)),
        ("32KiB", Some(32 * 1024)),
        ("32kb", Some(32 * 1024)),
        ("1.5m", Some(1_572_864)),
        ("2g", Some(2 << 30)),
        ("1t", Some(1 << 40)),
        ("32kib ", None),
        ("32bb", None),
        ("32kB2", None),
        ("k", None),
        ("", None),
        ("-1", None),
    ] {
        assert_eq!(ram_in_bytes(text), bytes, "{text:?}");
    }
}

proptest::proptest! {
    /// Any value parses or fails with a message; what parses prints to a
    /// value that parses back to the same mount.
    #[test]
    fn any_value_round_trips_or_fails(value in "(type=(cache|bind|secret|tmpfs|ssh)|target=[/a-c ,\"]{0,6}|id=[a-c]{0,2}|ro|rw|required|size=[0-9]{1,3}[kmg]?|mode=[0-9]{1,4}|uid=[0-9]|env=E|from=s|source=[a-c\"]{0,3}|[a-z\"]{0,4})(,(type=(cache|secret)|target=/[a-c]{0,3}|ro|required|sharing=locked|uid=1|[a-z=\"]{0,4})){0,4}") {
        if let Ok(m) = Mount::parse(&value) {
            proptest::prop_assert_eq!(Mount::parse(&m.to_value()), Ok(m));
        }
    }
}
