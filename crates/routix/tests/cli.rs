//! The binary as an operator meets it: exit codes and messages.

use std::process::{Command, Output};

fn routix(data_dir: &std::path::Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_routix"));
    cmd.env_clear()
        .current_dir(data_dir)
        .env("ROUTIX_DATA_DIR", data_dir.join("data"))
        .env("PORT", "0")
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run routix")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn refuses_weak_secret_in_production_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    for secret in [
        None,
        Some("your-secret-key-change-in-production"),
        Some("too-short"),
    ] {
        let mut env = vec![("ENVIRONMENT", "production")];
        if let Some(s) = secret {
            env.push(("SECRET_KEY", s));
        }
        let out = routix(dir.path(), &env, &["serve"]);
        assert_eq!(out.status.code(), Some(2), "secret {secret:?}");
        let err = stderr(&out);
        assert!(err.contains("SECRET_KEY"), "{err}");
        assert!(err.contains("openssl rand -hex 32"), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "one clear line: {err}");
    }
}

#[test]
fn malformed_variables_are_named() {
    let dir = tempfile::tempdir().unwrap();
    for (var, value) in [
        ("DATABASE_URL", "mysql://nope"),
        ("ACCESS_TOKEN_EXPIRE_MINUTES", "thirty"),
        ("DATABASE_POOL_SIZE", "-1"),
    ] {
        let out = routix(dir.path(), &[(var, value)], &["migrate"]);
        assert_eq!(out.status.code(), Some(2), "{var}");
        assert!(stderr(&out).contains(var), "{var}: {}", stderr(&out));
    }
}

#[test]
fn migrate_and_admin_create_user_work_on_a_fresh_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let out = routix(dir.path(), &[], &["migrate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("data/routix.db").exists());
    let args = [
        "admin",
        "create-user",
        "--email",
        "Boss@Example.com",
        "--password",
        "a strong password",
        "--admin",
    ];
    let out = routix(dir.path(), &[], &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("admin boss@example.com"), "{said}");
    let again = routix(dir.path(), &[], &args);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("already"), "{}", stderr(&again));
}

#[test]
fn serve_logs_json_and_stops_cleanly_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_routix"))
        .env_clear()
        .current_dir(dir.path())
        .env("ROUTIX_DATA_DIR", dir.path().join("data"))
        .env("LOG_FORMAT", "json")
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut listening = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        let event: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        if event["message"]
            .as_str()
            .unwrap_or("")
            .contains("listening")
        {
            listening = Some(event);
            break;
        }
    }
    let event = listening.expect("a listening log line");
    assert!(event["addr"].as_str().unwrap().starts_with("127.0.0.1:"));
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "graceful shutdown exits 0, got {exit:?}");
}

#[test]
fn generate_makes_a_thumbnail_offline_and_batches_prompts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("one.png");
    let res = routix(
        dir.path(),
        &[],
        &[
            "generate",
            "gaming video, red and black, text: NEW SEASON",
            "--format",
            "png",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(res.status.success(), "{}", stderr(&res));
    let img = image::open(&out).unwrap();
    assert_eq!((img.width(), img.height()), (1280, 720));
    let err = stderr(&res);
    for stage in ["1/5", "2/5", "3/5", "4/5", "5/5"] {
        assert!(err.contains(stage), "{err}");
    }
    std::fs::write(
        dir.path().join("prompts.txt"),
        "tech review\n\nآموزش آشپزی\n",
    )
    .unwrap();
    let res = routix(
        dir.path(),
        &[],
        &["generate", "--batch", "prompts.txt", "--out", "batch"],
    );
    assert!(res.status.success(), "{}", stderr(&res));
    assert!(dir.path().join("batch/001.jpg").exists() && dir.path().join("batch/002.jpg").exists());
    let bad = routix(
        dir.path(),
        &[],
        &["generate", "x", "--format", "gif", "--out", "x.gif"],
    );
    assert!(!bad.status.success());
}
