//! The web UI in headless Chromium (WebDriver via chromedriver): sign up, chat, generate,
//! watch the stages, see it in the gallery, download; Persian right to left; a second tab
//! receiving the first tab's message live. Screenshots land in the target's tmp dir.

use std::{
    collections::HashMap,
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use fantoccini::{Client, ClientBuilder, Locator};
use routix_server::{Application, Settings, Vars};
use serde_json::json;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn shots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn start() -> Option<(String, Driver, Client, tempfile::TempDir, routix_store::Db)> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    if Command::new("chromedriver")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromedriver is required in CI"
        );
        eprintln!("chromedriver not installed: skipping browser tests");
        return None;
    }
    let port = free_port();
    let driver = Driver(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut vars = HashMap::new();
    vars.insert(
        "ROUTIX_DATA_DIR".to_string(),
        dir.path().display().to_string(),
    );
    vars.insert(
        "SECRET_KEY".to_string(),
        "browser-test-secret-0123456789abcdef-xyz".to_string(),
    );
    let settings =
        Settings::load(&Vars::from_map(vars), Some("127.0.0.1:0".parse().unwrap())).unwrap();
    let app = Application::build(settings).await.unwrap();
    let base = format!("http://{}", app.local_addr());
    let db = app.state().db.clone();
    tokio::spawn(app.run_until(std::future::pending()));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=en-US"]}),
    );
    let mut client = None;
    for _ in 0..50 {
        match ClientBuilder::rustls()
            .expect("rustls")
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => {
                client = Some(c);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    Some((base, driver, client.expect("chromedriver session"), dir, db))
}

async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(shots().join(format!("{name}.png")), png).unwrap();
}

async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The elements wider than the window, to say what breaks a phone layout.
async fn too_wide(c: &Client) -> serde_json::Value {
    c.execute(
        "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 || e.getBoundingClientRect().left < -1).slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().width))",
        vec![],
    )
    .await
    .unwrap()
}

/// Waits (up to `secs`) for `css` to exist.
async fn wait_for(c: &Client, css: &str, secs: u64) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(secs))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_chat_generate_gallery_persian_and_live_second_tab() {
    let Some((base, _driver, c, _dir, db)) = start().await else {
        return;
    };

    // Sign up.
    c.goto(&format!("{base}/register")).await.unwrap();
    wait_for(&c, "#email", 10)
        .await
        .send_keys("creator@example.com")
        .await
        .unwrap();
    c.find(Locator::Css("#password"))
        .await
        .unwrap()
        .send_keys("correct horse battery")
        .await
        .unwrap();
    shot(&c, "01-sign-up").await;
    c.find(Locator::Css("#auth-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "#new-chat", 10).await.click().await.unwrap();
    wait_for(&c, "#conn-state[data-state=connected]", 15).await;

    // Chat: the message is stored and broadcast, the assistant answers with suggestions.
    let composer = wait_for(&c, "#composer", 5).await;
    composer
        .send_keys("gaming video, red and black, text: NEW SEASON")
        .await
        .unwrap();
    c.find(Locator::Css("#send"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, ".msg.theirs .suggestions .chip", 15).await;
    assert!(text_of(&c, ".msg.theirs .text")
        .await
        .to_lowercase()
        .contains("gaming"));

    // A second tab on the same conversation gets the first tab's messages live.
    let first = c.window().await.unwrap();
    let chat_url = c.current_url().await.unwrap();
    let second = c.new_window(true).await.unwrap();
    c.switch_to_window(second.handle.clone()).await.unwrap();
    c.goto(chat_url.as_str()).await.unwrap();
    wait_for(&c, "#conn-state[data-state=connected]", 15).await;
    c.switch_to_window(first.clone()).await.unwrap();
    c.find(Locator::Css("#composer"))
        .await
        .unwrap()
        .send_keys("make the title bigger")
        .await
        .unwrap();
    c.find(Locator::Css("#send"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.switch_to_window(second.handle.clone()).await.unwrap();
    let live = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//p[contains(@class,'text') and contains(., 'make the title bigger')]",
        ))
        .await;
    assert!(live.is_ok(), "the second tab received the message live");
    shot(&c, "02-second-tab").await;
    c.close_window().await.unwrap();
    c.switch_to_window(first).await.unwrap();

    // Generate a basic thumbnail and watch it finish.
    c.find(Locator::Css("#generate"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, ".gen-card", 10).await;
    shot(&c, "03-generating").await;
    wait_for(&c, ".gen-card[data-status=completed] img", 60).await;
    shot(&c, "04-generated").await;
    // Phone width: the layout stacks and nothing overflows sideways.
    c.set_window_size(390, 844).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let overflow = c
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth + 1",
            vec![],
        )
        .await
        .unwrap();
    shot(&c, "04b-phone").await;
    assert_eq!(
        overflow,
        json!(false),
        "no horizontal scrolling on a phone; too wide: {}",
        too_wide(&c).await
    );
    c.set_window_size(1280, 900).await.unwrap();

    // The gallery shows it, with downloads.
    c.goto(&format!("{base}/gallery")).await.unwrap();
    wait_for(&c, "#gallery-grid .gen-card[data-status=completed] img", 10).await;
    let buttons = c
        .find_all(Locator::Css("#gallery-grid [data-download]"))
        .await
        .unwrap();
    assert_eq!(buttons.len(), 3, "JPEG, WebP and PNG");
    buttons[2].click().await.unwrap();
    shot(&c, "05-gallery").await;

    // Persian: the whole page turns right to left.
    c.goto(&format!("{base}/templates")).await.unwrap();
    wait_for(&c, ".tpl-card img", 10).await;
    let lang = c.find(Locator::Css("#lang")).await.unwrap();
    lang.select_by_value("fa").await.unwrap();
    wait_for(&c, "html[dir=rtl]", 5).await;
    // The page re-renders in Persian: its heading is translated.
    let heading = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//h1[normalize-space(.)='قالب‌ها']"))
        .await;
    assert!(heading.is_ok(), "the templates page heading is in Persian");
    wait_for(&c, ".tpl-card img", 10).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    shot(&c, "06-templates-fa").await;
    c.goto(&format!("{base}/account")).await.unwrap();
    wait_for(&c, "#balance", 10).await;
    assert_eq!(
        c.execute("return document.documentElement.dir", vec![])
            .await
            .unwrap(),
        json!("rtl"),
        "the language choice sticks"
    );
    shot(&c, "07-account-fa").await;

    // Admins get the admin panel: users with balances, providers, templates, generations.
    let me = db.user_by_email("creator@example.com").await.unwrap();
    db.set_role(me.id, routix_store::users::Role::Admin)
        .await
        .unwrap();
    c.goto(&format!("{base}/admin")).await.unwrap();
    wait_for(&c, "table tbody tr", 10).await;
    let page = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("creator@example.com")
            && page.contains("openai")
            && page.contains("gaming-neon-arena"),
        "{page}"
    );
    shot(&c, "08-admin-fa").await;
    c.close().await.unwrap();
}
