//! The web UI in headless Chromium (WebDriver via chromedriver), against the real server:
//! a creator signs up, chats, generates and watches the stages, finds the thumbnail in the
//! gallery and downloads it; a second tab receives messages live; the Persian UI is right to
//! left; admins get their panel. Screenshots land in `$CARGO_TARGET_TMPDIR/screenshots`.
//!
//! Without chromedriver the tests skip (locally) or fail (with `CI` set).

use std::{
    collections::HashMap,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use routix_server::{Application, Settings, Vars};
use serde_json::{json, Value};

/// One browser at a time: the machine running the tests may have two cores.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Session {
    base: String,
    client: Client,
    db: routix_store::Db,
    downloads: PathBuf,
    settings: Settings,
    server: Option<Server>,
    driver_port: u16,
    _driver: Driver,
    _data: tempfile::TempDir,
    _guard: tokio::sync::MutexGuard<'static, ()>,
}

/// A running app and the means to stop it gracefully.
struct Server {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn serve(settings: Settings) -> (Server, String, routix_store::Db) {
    let app = Application::build(settings).await.unwrap();
    let base = format!("http://{}", app.local_addr());
    let db = app.state().db.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    (Server { stop, task }, base, db)
}

impl Session {
    /// Shuts the server down the way SIGTERM does (open sockets get 1001).
    async fn stop_server(&mut self) {
        if let Some(server) = self.server.take() {
            let _ = server.stop.send(());
            let _ = server.task.await;
        }
    }

    /// Starts the app again on the same address and data.
    async fn restart_server(&mut self) {
        let (server, _, _) = serve(self.settings.clone()).await;
        self.server = Some(server);
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

/// Starts the app and a browser whose language is `lang`; `None` when chromedriver is
/// missing outside CI.
async fn start(lang: &str) -> Option<Session> {
    start_with(lang, &[]).await
}

/// `start` with more settings for the app.
async fn start_with(lang: &str, settings: &[(&str, &str)]) -> Option<Session> {
    let guard = ONE_AT_A_TIME.lock().await;
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
    let data = tempfile::tempdir().unwrap();
    let downloads = data.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let mut vars = HashMap::new();
    vars.insert(
        "ROUTIX_DATA_DIR".to_string(),
        data.path().display().to_string(),
    );
    vars.insert(
        "SECRET_KEY".to_string(),
        "browser-test-secret-0123456789abcdef-xyz".to_string(),
    );
    vars.insert("BANK_SEED".to_string(), "false".to_string());
    for (k, v) in settings {
        vars.insert(k.to_string(), v.to_string());
    }
    // A fixed port, so a test can stop the server and start it again at the same address.
    let bind = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let settings = Settings::load(&Vars::from_map(vars), Some(bind)).unwrap();
    let (server, base, db) = serve(settings.clone()).await;
    let client = browser(port, lang, &downloads).await;
    Some(Session {
        base,
        client,
        db,
        downloads,
        settings,
        server: Some(server),
        driver_port: port,
        _driver: driver,
        _data: data,
        _guard: guard,
    })
}

/// A new browser session (a fresh profile: no cookies, no storage) from the chromedriver on `port`.
async fn browser(port: u16, lang: &str, downloads: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,900", format!("--lang={lang}")],
            "prefs": {
                "intl.accept_languages": lang,
                "download.default_directory": downloads.display().to_string(),
                "download.prompt_for_download": false,
            },
        }),
    );
    let mut client = None;
    for _ in 0..50 {
        match ClientBuilder::new(HttpConnector::new())
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
    client.expect("chromedriver session")
}

async fn shot(c: &Client, name: &str) {
    // Let web fonts and images settle so the picture shows what a person sees.
    tokio::time::sleep(Duration::from_millis(250)).await;
    let png = c.screenshot().await.unwrap();
    std::fs::write(shots().join(format!("{name}.png")), png).unwrap();
}

async fn find(c: &Client, css: &str) -> Element {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
}

async fn text_of(c: &Client, css: &str) -> String {
    find(c, css).await.text().await.unwrap()
}

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap()
}

/// Waits (up to `secs`) for `css` to exist.
async fn wait_for(c: &Client, css: &str, secs: u64) -> Element {
    c.wait()
        .at_most(Duration::from_secs(secs))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
}

/// Waits for an element whose text contains `text`.
async fn wait_for_text(c: &Client, text: &str, secs: u64) -> Element {
    let xpath = format!("//*[contains(normalize-space(.), '{text}') and not(*[contains(normalize-space(.), '{text}')])]");
    c.wait()
        .at_most(Duration::from_secs(secs))
        .for_element(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("no element with text {text:?}: {e}"))
}

/// What the house rules promise on every page: no inline styles (the CSP forbids them) and
/// nothing wider than the window.
async fn check_page(c: &Client, page: &str) {
    assert_eq!(
        js(
            c,
            "return document.querySelectorAll('[style], style, script:not([src])').length"
        )
        .await,
        json!(0),
        "{page}: inline styles or scripts would be blocked by the CSP"
    );
    assert_eq!(
        js(c, "return document.documentElement.scrollWidth > window.innerWidth + 1").await,
        json!(false),
        "{page}: wider than the window: {}",
        js(
            c,
            "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 || e.getBoundingClientRect().left < -1).slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id)"
        )
        .await
    );
}

async fn sign_up(c: &Client, base: &str, email: &str) {
    c.goto(&format!("{base}/register")).await.unwrap();
    wait_for(c, "#email", 10)
        .await
        .send_keys(email)
        .await
        .unwrap();
    find(c, "#password")
        .await
        .send_keys("correct horse battery")
        .await
        .unwrap();
    find(c, "#auth-submit").await.click().await.unwrap();
    wait_for(c, "#composer", 10).await;
}

async fn wait_for_file(dir: &Path, ext: &str) -> Vec<u8> {
    for _ in 0..50 {
        if let Some(entry) = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .find(|e| e.path().extension().is_some_and(|x| x == ext))
        {
            return std::fs::read(entry.path()).unwrap();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("no .{ext} file was downloaded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_creator_signs_up_chats_generates_and_downloads_from_the_gallery() {
    let Some(s) = start("en-US").await else {
        return;
    };
    let (c, base) = (&s.client, s.base.as_str());

    c.goto(&format!("{base}/register")).await.unwrap();
    wait_for(c, "#email", 10).await;
    shot(c, "01-sign-up").await;
    check_page(c, "sign up").await;
    sign_up(c, base, "creator@example.com").await;

    // A new account starts on an empty chat that invites the first message.
    wait_for(c, ".welcome", 10).await;
    assert!(text_of(c, "#wallet").await.contains("10 credits"));
    shot(c, "02-welcome").await;
    check_page(c, "welcome").await;

    // The first message starts (and names) a conversation; the assistant suggests templates.
    find(c, "#composer")
        .await
        .send_keys("gaming video, red and black, text: NEW SEASON")
        .await
        .unwrap();
    find(c, "#send").await.click().await.unwrap();
    wait_for(c, "#conn-state[data-state=connected]", 15).await;
    wait_for(c, ".msg.theirs .suggestions .chip", 15).await;
    assert!(text_of(c, ".msg.theirs .text")
        .await
        .to_lowercase()
        .contains("gaming"));
    assert!(text_of(c, "#chat-title").await.starts_with("gaming video"));
    assert!(text_of(c, "#conv-list").await.contains("gaming video"));

    // A second tab on the same conversation gets the first tab's messages live.
    let first = c.window().await.unwrap();
    let chat_url = c.current_url().await.unwrap();
    let second = c.new_window(true).await.unwrap();
    c.switch_to_window(second.handle.clone()).await.unwrap();
    c.goto(chat_url.as_str()).await.unwrap();
    wait_for(c, "#conn-state[data-state=connected]", 15).await;
    c.switch_to_window(first.clone()).await.unwrap();
    find(c, "#composer")
        .await
        .send_keys("make the title bigger")
        .await
        .unwrap();
    find(c, "#send").await.click().await.unwrap();
    c.switch_to_window(second.handle.clone()).await.unwrap();
    wait_for_text(c, "make the title bigger", 10).await;
    shot(c, "03-second-tab").await;
    c.close_window().await.unwrap();
    c.switch_to_window(first).await.unwrap();

    // Attach a reference photo (the file picker; drop and paste use the same path).
    let photo = s.downloads.parent().unwrap().join("reference.jpg");
    let jpeg = reqwest::get(format!("{base}/api/v1/templates/travel-postcard/preview"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    std::fs::write(&photo, &jpeg).unwrap();
    find(c, "#file-input")
        .await
        .send_keys(&photo.display().to_string())
        .await
        .unwrap();
    wait_for(c, "#attachments [data-file]", 10).await;

    // Pick a suggested template, generate, and watch the card go through the stages.
    let chip = find(c, ".msg.theirs .suggestions .chip").await;
    let template = chip.attr("data-template").await.unwrap().unwrap();
    chip.click().await.unwrap();
    wait_for(c, "#template-chip", 5).await;
    js(
        c,
        "window.seen = []; new MutationObserver(() => document.querySelectorAll('.gen-card').forEach(card => \
         window.seen.push(card.dataset.status + ':' + (card.querySelector('.stages li.active')?.dataset.stage || '-')))) \
         .observe(document.getElementById('stream'), {childList: true, subtree: true}); return true",
    )
    .await;
    find(c, "#generate").await.click().await.unwrap();
    wait_for(c, ".gen-card", 10).await;
    shot(c, "04-generating").await;
    wait_for(c, ".gen-card[data-status=completed] img", 60).await;
    shot(c, "05-generated").await;
    let seen = js(c, "return window.seen").await;
    let seen: Vec<String> = serde_json::from_value(seen).unwrap();
    assert!(
        seen.iter().any(|s| s.starts_with("processing:")),
        "the card showed the work in progress: {seen:?}"
    );
    assert!(seen.iter().any(|s| s.starts_with("completed:")), "{seen:?}");
    let g = &s
        .db
        .list_generations(None, &Default::default(), None, 10)
        .await
        .unwrap()
        .items[0];
    assert_eq!(
        g.template_id.as_deref(),
        Some(template.as_str()),
        "the chosen template was used"
    );
    assert_eq!(g.reference_file_ids.len(), 1, "with the attached photo");
    assert!(
        text_of(c, "#wallet").await.contains("9 credits"),
        "a basic thumbnail costs one credit"
    );

    // Phone width: the layout stacks and nothing overflows sideways.
    c.set_window_size(390, 844).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    shot(c, "06-phone-chat").await;
    check_page(c, "chat on a phone").await;
    c.set_window_size(1280, 900).await.unwrap();

    // The gallery shows it; the PNG download is a PNG.
    find(c, "nav a[href='/gallery']")
        .await
        .click()
        .await
        .unwrap();
    wait_for(c, "#gallery-grid .gen-card[data-status=completed] img", 10).await;
    let buttons = c
        .find_all(Locator::Css("#gallery-grid [data-download]"))
        .await
        .unwrap();
    assert_eq!(buttons.len(), 3, "JPEG, WebP and PNG");
    buttons[2].click().await.unwrap();
    let png = wait_for_file(&s.downloads, "png").await;
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    shot(c, "07-gallery").await;
    check_page(c, "gallery").await;

    // Templates: previews by category; one starts a chat with it chosen.
    find(c, "nav a[href='/templates']")
        .await
        .click()
        .await
        .unwrap();
    wait_for(c, ".tpl-card img", 10).await;
    find(c, "#filter-category")
        .await
        .select_by_value("cooking")
        .await
        .unwrap();
    let cards = c.find_all(Locator::Css(".tpl-card")).await.unwrap();
    assert!(
        !cards.is_empty() && cards.len() < 26,
        "filtered by category"
    );
    shot(c, "08-templates").await;
    check_page(c, "templates").await;
    find(c, ".tpl-card [data-start]")
        .await
        .click()
        .await
        .unwrap();
    wait_for(c, "#template-chip", 10).await;

    // Account: balance and ledger.
    find(c, "nav a[href='/account']")
        .await
        .click()
        .await
        .unwrap();
    wait_for(c, "#balance", 10).await;
    assert_eq!(text_of(c, "#balance").await, "9 credits");
    let ledger = text_of(c, "table").await;
    assert!(
        ledger.contains("Welcome credits") && ledger.contains("Reserved"),
        "{ledger}"
    );
    shot(c, "09-account").await;

    // Sign out, then back in with the keyboard alone.
    find(c, "#sign-out").await.click().await.unwrap();
    wait_for(c, "#email", 10)
        .await
        .send_keys("creator@example.com\u{E004}correct horse battery\u{E007}")
        .await
        .unwrap();
    wait_for(c, "#conn-state[data-state=connected]", 10).await;
    assert_eq!(
        c.find_all(Locator::Css("#conv-list li"))
            .await
            .unwrap()
            .len(),
        2,
        "both conversations are listed"
    );
    c.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_connection_comes_back_and_replays_what_was_missed() {
    let Some(mut s) = start("en-US").await else {
        return;
    };
    let base = s.base.clone();
    sign_up(&s.client, &base, "flaky@example.com").await;
    let c = s.client.clone();
    find(&c, "#composer")
        .await
        .send_keys("vlog about my trip to Shiraz")
        .await
        .unwrap();
    find(&c, "#send").await.click().await.unwrap();
    wait_for(&c, "#conn-state[data-state=connected]", 15).await;
    wait_for(&c, ".msg.theirs", 15).await;

    // The server goes away (a deploy): the page says it is reconnecting…
    s.stop_server().await;
    wait_for(&c, "#conn-state[data-state=reconnecting]", 10).await;
    shot(&c, "10-reconnecting").await;
    // …a message is written meanwhile (from another device)…
    let path = js(&c, "return location.pathname").await;
    let id: routix_store::ConversationId = path
        .as_str()
        .unwrap()
        .trim_start_matches("/chat/")
        .parse()
        .unwrap();
    // (The stopped app closed its pool; this is another client of the same database.)
    let db = routix_store::Db::connect(&s.settings.database_url, 1)
        .await
        .unwrap();
    let me = db.user_by_email("flaky@example.com").await.unwrap();
    db.add_message(
        id,
        Some(me.id),
        routix_store::chat::Role::User,
        "sent while you were away",
        &json!({}),
    )
    .await
    .unwrap();
    // …and when the server is back at the same address, the page reconnects by itself and
    // shows what it missed.
    s.restart_server().await;
    wait_for(&c, "#conn-state[data-state=connected]", 20).await;
    wait_for_text(&c, "sent while you were away", 10).await;
    shot(&c, "11-reconnected").await;
    s.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persian_browsers_get_a_right_to_left_persian_ui() {
    let Some(s) = start("fa").await else {
        return;
    };
    let (c, base) = (&s.client, s.base.as_str());

    // The browser's language decides before sign-in.
    c.goto(&format!("{base}/register")).await.unwrap();
    wait_for(c, "html[dir=rtl][lang=fa]", 10).await;
    wait_for_text(c, "ساخت حساب", 5).await;
    shot(c, "fa-01-sign-up").await;
    sign_up(c, base, "sara@example.com").await;

    // Chat, mirrored: the conversation list sits on the right, the user's bubbles on the left.
    find(c, "#composer")
        .await
        .send_keys("تامبنیل گیمینگ قرمز و مشکی، متن: فصل جدید")
        .await
        .unwrap();
    find(c, "#send").await.click().await.unwrap();
    wait_for(c, ".msg.theirs", 15).await;
    find(c, "#generate").await.click().await.unwrap();
    wait_for(c, ".gen-card[data-status=completed] img", 60).await;
    let layout = js(
        c,
        "const r = (s) => document.querySelector(s).getBoundingClientRect(); \
         return { sidebar: r('.sidebar').left > r('.chat-panel').left, mine: r('.msg.mine').right < r('.msg.theirs').right, \
                  font: getComputedStyle(document.body).fontFamily }",
    )
    .await;
    assert_eq!(layout["sidebar"], json!(true), "{layout}");
    assert_eq!(layout["mine"], json!(true), "{layout}");
    assert!(layout["font"].as_str().unwrap().contains("Vazirmatn"));
    assert!(text_of(c, "#wallet").await.contains("۹"), "Persian digits");
    shot(c, "fa-02-chat").await;
    check_page(c, "Persian chat").await;

    // The account remembers the language: it holds after a reload.
    c.goto(&format!("{base}/account")).await.unwrap();
    wait_for(c, "#balance", 10).await;
    assert_eq!(
        js(c, "return document.documentElement.dir").await,
        json!("rtl")
    );
    assert!(text_of(c, "table").await.contains("اعتبار خوش‌آمد"));
    shot(c, "fa-03-account").await;

    c.goto(&format!("{base}/templates")).await.unwrap();
    wait_for(c, ".tpl-card img", 10).await;
    wait_for_text(c, "قالب‌ها", 5).await;
    // Template names and descriptions are Persian too.
    assert_eq!(
        text_of(c, ".tpl-card[data-template=gaming-split-hero] h2").await,
        "قهرمان دونیمه"
    );
    shot(c, "fa-04-templates").await;

    // Switching the language re-renders in English, left to right.
    find(c, "#lang").await.select_by_value("en").await.unwrap();
    wait_for(c, "html[dir=ltr][lang=en]", 5).await;
    wait_for_text(c, "All categories", 5).await;
    assert_eq!(
        text_of(c, ".tpl-card[data-template=gaming-split-hero] h2").await,
        "Split Hero"
    );

    // On a phone too.
    find(c, "#lang").await.select_by_value("fa").await.unwrap();
    wait_for(c, "html[dir=rtl]", 5).await;
    c.set_window_size(390, 844).await.unwrap();
    find(c, "nav a[href='/gallery']")
        .await
        .click()
        .await
        .unwrap();
    wait_for(c, "#gallery-grid .gen-card img", 10).await;
    shot(c, "fa-05-phone-gallery").await;
    check_page(c, "Persian gallery on a phone").await;
    c.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_creator_finds_archives_and_exports_a_conversation() {
    let Some(s) = start("en-US").await else {
        return;
    };
    let (c, base) = (&s.client, s.base.as_str());
    sign_up(c, base, "finder@example.com").await;

    // Typed with Arabic letter variants (ك, ي); searched for below with Persian ones.
    let said = "كيك شكلاتي برای تولد";
    find(c, "#composer").await.send_keys(said).await.unwrap();
    find(c, "#send").await.click().await.unwrap();
    wait_for(c, "#conn-state[data-state=connected]", 15).await;
    wait_for(c, ".msg.theirs", 15).await;
    let cake_url = c.current_url().await.unwrap().to_string();
    find(c, "#new-chat").await.click().await.unwrap();
    wait_for(c, "#conn-state[data-state=connected]", 15).await;
    find(c, "#composer")
        .await
        .send_keys("gaming night")
        .await
        .unwrap();
    find(c, "#send").await.click().await.unwrap();
    wait_for(c, ".msg.theirs", 15).await;

    // The search finds the message; its hit opens the conversation at it.
    find(c, "#chat-search")
        .await
        .send_keys("کیک")
        .await
        .unwrap();
    let hit = wait_for(c, "#search-hits a.hit", 10).await;
    assert!(hit.text().await.unwrap().contains(said));
    assert!(js(c, "return document.getElementById('conv-list').hidden").await == json!(true));
    shot(c, "30-chat-search").await;
    check_page(c, "chat search").await;
    hit.click().await.unwrap();
    wait_for(c, ".msg.found", 10).await;
    assert!(c
        .current_url()
        .await
        .unwrap()
        .as_str()
        .starts_with(&cake_url));

    // Escape leaves the search. Archived: out of the list, back under the filter.
    find(c, "#chat-search")
        .await
        .send_keys("\u{E00C}")
        .await
        .unwrap();
    wait_for(c, "#conv-list:not([hidden])", 10).await;
    find(c, "#archive").await.click().await.unwrap();
    wait_for(c, "#archived-pill:not([hidden])", 10).await;
    let listed = text_of(c, "#conv-list").await;
    assert!(
        listed.contains("gaming night") && !listed.contains(said),
        "{listed}"
    );
    find(c, "#archived-filter").await.click().await.unwrap();
    wait_for(c, "#archived-filter[aria-pressed=true]", 10).await;
    let mut listed = String::new();
    for _ in 0..50 {
        listed = text_of(c, "#conv-list").await;
        if listed.contains(said) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        listed.contains(said) && !listed.contains("gaming night"),
        "{listed}"
    );
    shot(c, "31-archived").await;

    // Exported as Markdown, with the message as written.
    find(c, "#export-menu summary").await.click().await.unwrap();
    find(c, "#export-menu button[data-format=markdown]")
        .await
        .click()
        .await
        .unwrap();
    let md = String::from_utf8(wait_for_file(&s.downloads, "md").await).unwrap();
    assert!(md.contains(&format!("> {said}")), "{md}");
    c.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_see_users_providers_generations_and_templates() {
    let Some(s) = start("en-US").await else {
        return;
    };
    let (c, base) = (&s.client, s.base.as_str());
    sign_up(c, base, "boss@example.com").await;
    assert!(
        c.find(Locator::Css("nav a[href='/admin']")).await.is_err(),
        "no admin link for creators"
    );
    let me = s.db.user_by_email("boss@example.com").await.unwrap();
    s.db.set_role(
        routix_store::audit::Actor::Cli,
        me.id,
        routix_store::users::Role::Admin,
    )
    .await
    .unwrap();
    c.goto(&format!("{base}/admin")).await.unwrap();
    wait_for(c, "#admin-users table tbody tr", 10).await;
    wait_for(c, "#admin-providers [data-provider=openai]", 10).await;
    wait_for(c, "#admin-templates table", 10).await;
    let page = text_of(c, "main").await;
    assert!(
        page.contains("boss@example.com") && page.contains("gaming-neon-arena"),
        "{page}"
    );

    // Granting credits updates the balance in place.
    find(c, "#admin-users button.small")
        .await
        .click()
        .await
        .unwrap();
    wait_for_text(c, "Credits granted", 5).await;
    assert_eq!(text_of(c, "#admin-users td.num").await, "20");
    shot(c, "admin-01").await;
    check_page(c, "admin").await;

    // The bank: upload a designer thumbnail, see its palette as swatches, switch it off.
    wait_for(c, "#admin-bank .empty, #admin-bank table", 10).await;
    let picture = s.downloads.parent().unwrap().join("designer-look.png");
    let img = image::RgbImage::from_fn(640, 360, |x, _| {
        if x < 320 {
            image::Rgb([229, 27, 35])
        } else {
            image::Rgb([13, 13, 15])
        }
    });
    img.save(&picture).unwrap();
    find(c, "#bank-file")
        .await
        .send_keys(&picture.display().to_string())
        .await
        .unwrap();
    find(c, "#bank-tags")
        .await
        .send_keys("gaming, bold")
        .await
        .unwrap();
    find(c, "#bank-upload button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    wait_for(c, "#admin-bank [data-bank-item] .swatch", 20).await;
    let swatches = c
        .find_all(Locator::Css("#admin-bank [data-bank-item] .swatch"))
        .await
        .unwrap();
    assert!(swatches.len() >= 2, "red and black swatches");
    // The swatches are painted in their colours (not blocked by the page's CSP).
    let painted = js(
        c,
        "return [...document.querySelectorAll('#admin-bank .swatch')].map(s => getComputedStyle(s).backgroundColor)",
    )
    .await;
    let painted: Vec<String> = serde_json::from_value(painted).unwrap();
    assert!(
        painted.iter().any(|c| c.starts_with("rgb(2")),
        "a red swatch: {painted:?}"
    );
    assert!(text_of(c, "#admin-bank").await.contains("designer look"));
    shot(c, "admin-02-bank").await;
    find(c, "#admin-bank [data-bank-toggle=enabled]")
        .await
        .click()
        .await
        .unwrap();
    wait_for_text(c, "Saved", 5).await;
    let items = s.db.all_enabled_bank_items().await.unwrap();
    assert!(items.is_empty(), "switched off in the bank");
    c.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_creator_picks_a_variant_and_edits_the_text_for_free() {
    let Some(s) = start("en-US").await else {
        return;
    };
    let (c, base) = (&s.client, s.base.as_str());
    c.goto(&format!("{base}/register")).await.unwrap();
    wait_for(c, "#email", 10).await;
    sign_up(c, base, "variants@example.com").await;
    wait_for(c, ".welcome", 10).await;

    // Three variants from one request, for one credit.
    find(c, "#composer")
        .await
        .send_keys("my dog reacts to a robot vacuum")
        .await
        .unwrap();
    js(
        c,
        "const v = document.getElementById('variants'); v.value = '3'; \
         v.dispatchEvent(new Event('change')); return true",
    )
    .await;
    // The price is shown before confirming: one credit for compositor variants, three
    // images at premium's price each.
    assert_eq!(
        find(c, "#chat-balance")
            .await
            .attr("data-cost")
            .await
            .unwrap()
            .as_deref(),
        Some("1")
    );
    js(
        c,
        "const a = document.getElementById('algorithm'); a.value = 'premium'; \
         a.dispatchEvent(new Event('change')); return true",
    )
    .await;
    assert_eq!(
        find(c, "#chat-balance")
            .await
            .attr("data-cost")
            .await
            .unwrap()
            .as_deref(),
        Some("9")
    );
    js(
        c,
        "const a = document.getElementById('algorithm'); a.value = 'basic'; \
         a.dispatchEvent(new Event('change')); return true",
    )
    .await;
    find(c, "#generate").await.click().await.unwrap();
    wait_for(c, ".gen-card[data-status=completed] .variants .variant", 60).await;
    let tiles = c
        .find_all(Locator::Css(".gen-card .variant"))
        .await
        .unwrap();
    assert_eq!(tiles.len(), 3, "three variants to pick from");
    shot(c, "variants-01-grid").await;
    assert!(
        text_of(c, "#wallet").await.contains("9 credits"),
        "three compositor variants cost one credit"
    );

    // Picking the third shows it in the frame.
    let before = find(c, ".gen-card .frame img")
        .await
        .attr("src")
        .await
        .unwrap();
    tiles[2].click().await.unwrap();
    let after = find(c, ".gen-card .frame img")
        .await
        .attr("src")
        .await
        .unwrap();
    assert_ne!(before, after, "the frame shows the picked variant");
    assert_eq!(
        tiles[2].attr("aria-pressed").await.unwrap().as_deref(),
        Some("true")
    );

    // "Edit text" makes a new card with the new headline, and costs nothing.
    find(c, ".gen-card [data-edit=text]")
        .await
        .click()
        .await
        .unwrap();
    let field = wait_for(c, ".gen-card [data-edit-input]", 5).await;
    field.clear().await.unwrap();
    field.send_keys("ZOOMIES").await.unwrap();
    find(c, ".gen-card .edit-text button")
        .await
        .click()
        .await
        .unwrap();
    for _ in 0..150 {
        let done = js(
            c,
            "return document.querySelectorAll('.gen-card[data-status=completed]').length",
        )
        .await;
        if done.as_u64() == Some(2) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    shot(c, "variants-02-edited").await;
    let edits =
        s.db.list_generations(None, &Default::default(), None, 10)
            .await
            .unwrap()
            .items;
    let edit = edits
        .iter()
        .find(|g| g.parent_id.is_some())
        .expect("an edit was made");
    assert_eq!(edit.status, routix_core::GenerationStatus::Completed);
    assert_eq!(
        edit.details.as_ref().unwrap()["headline"].as_str(),
        Some("ZOOMIES")
    );
    assert!(
        text_of(c, "#wallet").await.contains("9 credits"),
        "the edit was free"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creators_buy_packs_through_checkout_and_admins_price_them() {
    use wiremock::{matchers::path, Mock, MockServer, ResponseTemplate};
    let stripe = MockServer::start().await;
    Mock::given(path("/v1/checkout/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "cs_test_browser",
            "url": format!("{}/pay/cs_test_browser", stripe.uri()),
        })))
        .mount(&stripe)
        .await;
    Mock::given(path("/pay/cs_test_browser"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/html")
                .set_body_string("<!doctype html><title>Fake checkout</title><h1>Pay</h1>"),
        )
        .mount(&stripe)
        .await;
    let fake = stripe.uri();
    let Some(s) = start_with(
        "en-US",
        &[
            ("STRIPE_SECRET_KEY", "sk_test_browser"),
            ("STRIPE_API_BASE", fake.as_str()),
            ("STRIPE_WEBHOOK_SECRET", "whsec_browser"),
        ],
    )
    .await
    else {
        return;
    };
    let (c, base) = (&s.client, s.base.as_str());
    sign_up(c, base, "shopper@example.com").await;
    c.goto(&format!("{base}/account")).await.unwrap();
    wait_for(c, "#packs [data-pack=creator]", 10).await;
    assert_eq!(text_of(c, "#plan").await, "Free (watermarked)");
    assert_eq!(
        text_of(c, "#packs [data-pack=creator]").await,
        "Buy for $15.00"
    );
    shot(c, "billing-01-account").await;
    check_page(c, "account with packs").await;

    find(c, "#packs [data-pack=creator]")
        .await
        .click()
        .await
        .unwrap();
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_url(format!("{fake}/pay/cs_test_browser").parse().unwrap())
        .await
        .unwrap();

    // Back from the payment page without paying.
    c.goto(&format!("{base}/account?checkout=cancelled"))
        .await
        .unwrap();
    wait_for_text(c, "Payment cancelled; nothing was charged.", 10).await;
    assert_eq!(
        c.current_url().await.unwrap().as_str(),
        format!("{base}/account")
    );

    // An admin reprices a pack; the account page shows the new price.
    let me = s.db.user_by_email("shopper@example.com").await.unwrap();
    s.db.set_role(
        routix_store::audit::Actor::Cli,
        me.id,
        routix_store::users::Role::Admin,
    )
    .await
    .unwrap();
    c.goto(&format!("{base}/admin")).await.unwrap();
    let price = wait_for(
        c,
        "#admin-billing [data-packs=creator] [data-field=price_cents]",
        10,
    )
    .await;
    price.clear().await.unwrap();
    price.send_keys("1200").await.unwrap();
    find(c, "#admin-billing [data-packs=creator] button")
        .await
        .click()
        .await
        .unwrap();
    wait_for_text(c, "Saved", 5).await;
    assert_eq!(s.db.pack("creator").await.unwrap().price_cents, 1200);
    shot(c, "billing-02-admin").await;
    check_page(c, "admin with plans and packs").await;
    c.goto(&format!("{base}/account")).await.unwrap();
    wait_for(c, "#packs [data-pack=creator]", 10).await;
    assert_eq!(
        text_of(c, "#packs [data-pack=creator]").await,
        "Buy for $12.00"
    );
    c.clone().close().await.unwrap();
}

/// The newest mailed `{base}/{page}?token=…` link among the `.eml` files in `outbox`, once
/// `count` such mails are there (mails are written there when no SMTP server is set).
async fn mailed_link(outbox: &Path, page: &str, count: usize) -> String {
    use base64::{engine::general_purpose::STANDARD, Engine};
    let marker = format!("/{page}?token=");
    for _ in 0..100 {
        let mut links: Vec<(u64, String)> = std::fs::read_dir(outbox)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter_map(|entry| {
                // `<time>-<id>.eml`: the id orders the mails.
                let name = entry.file_name().to_string_lossy().to_string();
                let id = name
                    .strip_suffix(".eml")?
                    .rsplit('-')
                    .next()?
                    .parse()
                    .ok()?;
                let eml = std::fs::read_to_string(entry.path()).ok()?;
                let start = eml.find("Content-Type: text/plain")?;
                let body = start + eml[start..].find("\r\n\r\n")? + 4;
                let end = body + eml[body..].find("\r\n--")?;
                let compact: String = eml[body..end].split_whitespace().collect();
                let text = String::from_utf8(STANDARD.decode(compact).ok()?).ok()?;
                let at = text.find(&marker)?;
                let from = text[..at].rfind("http")?;
                let link: String = text[from..]
                    .chars()
                    .take_while(|c| !c.is_whitespace())
                    .collect();
                Some((id, link))
            })
            .collect();
        if links.len() >= count {
            links.sort();
            return links.pop().unwrap().1;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "no {count} mail(s) with a {page} link in {}",
        outbox.display()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_creator_confirms_the_address_changes_and_resets_the_password() {
    let Some(s) = start("en-US").await else {
        return;
    };
    let (c, base) = (&s.client, s.base.as_str());
    let outbox = s.settings.data_dir.join("outbox");
    sign_up(c, base, "mailer@example.com").await;
    let banner = wait_for(c, "#verify-banner", 10)
        .await
        .text()
        .await
        .unwrap();
    assert!(banner.contains("mailer@example.com"), "{banner}");
    shot(c, "mail-01-verify-banner").await;
    check_page(c, "chat with the verify banner").await;

    // The mailed link confirms the address; the token leaves the address bar at once.
    let link = mailed_link(&outbox, "verify", 1).await;
    assert!(link.starts_with(&format!("{base}/verify?token=")), "{link}");
    c.goto(&link).await.unwrap();
    wait_for_text(c, "Your email is confirmed", 10).await;
    assert_eq!(js(c, "return location.search").await, json!(""));
    shot(c, "mail-02-verified").await;
    c.goto(&format!("{base}/chat")).await.unwrap();
    wait_for(c, "#composer", 10).await;
    assert!(c.find(Locator::Css("#verify-banner")).await.is_err());

    // Change the password on the account page; this browser stays signed in.
    c.goto(&format!("{base}/account")).await.unwrap();
    wait_for(c, "#current-password", 10)
        .await
        .send_keys("correct horse battery")
        .await
        .unwrap();
    find(c, "#new-password")
        .await
        .send_keys("a changed password")
        .await
        .unwrap();
    find(c, "#password-form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    wait_for_text(c, "Password changed", 10).await;
    check_page(c, "account with the password form").await;
    c.refresh().await.unwrap();
    wait_for(c, "#password-form", 10).await;

    // Forgotten: sign out, ask for a link, choose a new password with it.
    find(c, "#sign-out").await.click().await.unwrap();
    wait_for(c, "#forgot-link", 10).await.click().await.unwrap();
    wait_for(c, "#forgot-email", 10)
        .await
        .send_keys("mailer@example.com")
        .await
        .unwrap();
    find(c, "#forgot-form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    wait_for(c, "#forgot-sent", 10).await;
    shot(c, "mail-03-forgot-sent").await;
    let link = mailed_link(&outbox, "reset", 1).await;
    c.goto(&link).await.unwrap();
    wait_for(c, "#reset-password", 10)
        .await
        .send_keys("the newest password")
        .await
        .unwrap();
    find(c, "#reset-again")
        .await
        .send_keys("the newest password")
        .await
        .unwrap();
    shot(c, "mail-04-reset").await;
    check_page(c, "reset").await;
    find(c, "#reset-form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    wait_for(c, "#reset-done", 10).await;
    find(c, "#reset-done + a").await.click().await.unwrap();
    wait_for(c, "#email", 10)
        .await
        .send_keys("mailer@example.com")
        .await
        .unwrap();
    find(c, "#password")
        .await
        .send_keys("the newest password")
        .await
        .unwrap();
    find(c, "#auth-submit").await.click().await.unwrap();
    wait_for(c, "#composer", 10).await;

    // The same link a second time says it is used up.
    c.goto(&link).await.unwrap();
    wait_for(c, "#reset-password", 10)
        .await
        .send_keys("one more password")
        .await
        .unwrap();
    find(c, "#reset-again")
        .await
        .send_keys("one more password")
        .await
        .unwrap();
    find(c, "#reset-form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    wait_for_text(c, "already used", 10).await;
    c.clone().close().await.unwrap();
}

/// Three finished generations of a new account, made over the API; answers their ids.
async fn three_results(base: &str, email: &str) -> Vec<String> {
    let http = reqwest::Client::new();
    let tokens: Value = http
        .post(format!("{base}/api/v1/auth/register"))
        .json(&json!({"email": email, "password": "correct horse battery"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = tokens["access_token"].as_str().unwrap().to_string();
    let mut ids = Vec::new();
    for prompt in [
        "gaming video, red and black, text: NEW SEASON",
        "cooking pasta at home, text: EASY PASTA",
        "travel vlog, japan, text: TOKYO",
    ] {
        let g: Value = http
            .post(format!("{base}/api/v1/generations"))
            .bearer_auth(&token)
            .json(&json!({ "prompt": prompt }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ids.push(g["id"].as_str().unwrap().to_string());
    }
    for id in &ids {
        for _ in 0..600 {
            let g: Value = http
                .get(format!("{base}/api/v1/generations/{id}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if g["status"] == "completed" {
                break;
            }
            assert!(g["status"] != "failed", "{g}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    ids
}

/// A downloaded Test & Compare zip's README, after checking it holds A, B and C and nothing
/// else.
fn test_set_readme(zip: Vec<u8>) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["A.jpg", "B.jpg", "C.jpg", "README.txt"]);
    let mut readme = String::new();
    let mut entry = archive.by_name("README.txt").unwrap();
    std::io::Read::read_to_string(&mut entry, &mut readme).unwrap();
    readme
}

/// Signs in an account made by `three_results` through the login page.
async fn sign_in(c: &Client, base: &str, email: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    wait_for(c, "#email", 10)
        .await
        .send_keys(email)
        .await
        .unwrap();
    find(c, "#password")
        .await
        .send_keys("correct horse battery")
        .await
        .unwrap();
    find(c, "#auth-submit").await.click().await.unwrap();
    wait_for(c, "#composer", 10).await;
}

/// Polls a JavaScript expression until it is true.
async fn until(c: &Client, expression: &str, secs: u64) {
    for _ in 0..secs * 10 {
        if js(c, &format!("return !!({expression});")).await == json!(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never true: {expression}");
}

/// Waits until the feed preview shows `layout`/`theme` and answers its natural width.
async fn preview_shown(c: &Client, layout: &str, theme: &str) -> u64 {
    for _ in 0..100 {
        let shown = js(
            c,
            &format!(
                "const i = document.getElementById('feed-preview'); \
                 return i && !i.hidden && i.complete && i.dataset.layout === '{layout}' \
                 && i.dataset.theme === '{theme}' ? i.naturalWidth : 0"
            ),
        )
        .await;
        if let Some(w) = shown.as_u64().filter(|w| *w > 0) {
            return w;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the {layout} {theme} preview did not show");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_creator_previews_in_a_feed_and_downloads_three_to_test_and_compare() {
    let Some(s) = start("en-US").await else {
        return;
    };
    let (c, base) = (&s.client, s.base.as_str());
    let ids = three_results(base, "compare-ui@example.com").await;
    sign_in(c, base, "compare-ui@example.com").await;

    // Preview in a feed, from the gallery card: home and light first, then the switches.
    c.goto(&format!("{base}/gallery")).await.unwrap();
    wait_for(c, &format!("a[data-preview='{}']", ids[0]), 10)
        .await
        .click()
        .await
        .unwrap();
    assert_eq!(preview_shown(c, "home", "light").await, 1160);
    let here = c.current_url().await.unwrap();
    assert_eq!(here.path(), format!("/preview/{}", ids[0]));
    check_page(c, "preview").await;
    shot(c, "preview-home-light").await;
    find(c, "[data-switch='feedTheme'] [data-value='dark']")
        .await
        .click()
        .await
        .unwrap();
    assert_eq!(preview_shown(c, "home", "dark").await, 1160);
    find(c, "[data-switch='feedLayout'] [data-value='mobile']")
        .await
        .click()
        .await
        .unwrap();
    assert_eq!(preview_shown(c, "mobile", "dark").await, 390);
    assert_eq!(
        find(c, "[data-switch='feedLayout'] [data-value='mobile']")
            .await
            .attr("aria-pressed")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    shot(c, "preview-mobile-dark").await;

    // Test & Compare: the button waits for exactly three picks.
    c.goto(&format!("{base}/gallery")).await.unwrap();
    wait_for(c, "input[data-pick]", 10).await;
    let button = find(c, "#test-compare").await;
    for (n, id) in ids.iter().enumerate() {
        let disabled = button.attr("disabled").await.unwrap();
        assert!(disabled.is_some(), "enabled with {n} picked");
        find(c, &format!("input[data-pick='{id}']"))
            .await
            .click()
            .await
            .unwrap();
    }
    assert_eq!(text_of(c, "#pick-count").await, "3 of 3 picked");
    assert_eq!(button.attr("disabled").await.unwrap(), None);
    check_page(c, "gallery with picks").await;
    button.click().await.unwrap();
    let link = wait_for(c, "#test-set-download", 30).await;
    let href = link.attr("href").await.unwrap().unwrap_or_default();
    assert!(href.starts_with("blob:"), "{href}");
    let file = link.attr("download").await.unwrap().unwrap_or_default();
    assert!(file.ends_with(".zip"), "{file}");
    shot(c, "test-compare-picked").await;
    link.click().await.unwrap();
    let zip = wait_for_file(&s.downloads, "zip").await;
    let readme = test_set_readme(zip);
    for id in &ids {
        assert!(readme.contains(id.as_str()), "{readme}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_see_charts_broadcast_to_everyone_and_read_the_audit_log() {
    let Some(s) = start("en-US").await else {
        return;
    };
    let (c, base) = (&s.client, s.base.as_str());
    three_results(base, "charted@example.com").await;
    sign_up(c, base, "chief@example.com").await;
    let me = s.db.user_by_email("chief@example.com").await.unwrap();
    s.db.set_role(
        routix_store::audit::Actor::Cli,
        me.id,
        routix_store::users::Role::Admin,
    )
    .await
    .unwrap();
    c.goto(&format!("{base}/admin")).await.unwrap();

    // The dashboard: stacked bars per day, lines for credits, stage times.
    wait_for(c, "#admin-dashboard svg.chart rect.bar", 15).await;
    let bars = c
        .find_all(Locator::Css("#admin-dashboard svg.chart rect.bar"))
        .await
        .unwrap();
    assert!(
        bars.len() >= 2,
        "today's bar in the status and engine charts"
    );
    assert_eq!(
        js(
            c,
            "return document.querySelectorAll('#admin-dashboard svg.chart').length"
        )
        .await,
        json!(4)
    );
    assert_eq!(
        js(c, "return document.querySelector('#admin-dashboard polyline[data-series=spent]') !== null").await,
        json!(true)
    );
    assert_eq!(
        text_of(
            c,
            "#admin-dashboard [data-stat=statGenerations] .stat-value"
        )
        .await,
        "3"
    );
    wait_for(c, "#admin-dashboard tr[data-stage='3']", 5).await;
    shot(c, "admin-dashboard").await;
    check_page(c, "admin dashboard").await;

    // The audit log has the shell's role change.
    wait_for(c, "#admin-audit [data-audit]", 10).await;
    assert!(text_of(c, "#admin-audit").await.contains("user.role"));

    // A broadcast shows as a banner at once, and can be dismissed.
    find(c, "#broadcast-message")
        .await
        .send_keys("Maintenance tonight at 22:00 UTC")
        .await
        .unwrap();
    find(c, "#broadcast-form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    wait_for(c, "#broadcasts .broadcast", 5).await;
    assert!(text_of(c, "#broadcasts")
        .await
        .contains("Maintenance tonight"));
    wait_for(c, "#admin-broadcasts [data-broadcast-row]", 5).await;

    // In Persian the charts are redrawn right to left with Persian digits.
    find(c, "#lang").await.select_by_value("fa").await.unwrap();
    wait_for(c, "#admin-dashboard svg.chart rect.bar", 15).await;
    assert_eq!(
        js(c, "return document.documentElement.dir").await,
        json!("rtl")
    );
    assert_eq!(
        text_of(
            c,
            "#admin-dashboard [data-stat=statGenerations] .stat-value"
        )
        .await,
        "۳"
    );
    assert!(
        text_of(c, "#broadcasts")
            .await
            .contains("Maintenance tonight"),
        "the banner survives a page change"
    );
    shot(c, "admin-dashboard-fa").await;
    check_page(c, "admin dashboard fa").await;
    find(c, "#broadcasts .broadcast button")
        .await
        .click()
        .await
        .unwrap();
    assert_eq!(
        js(
            c,
            "return document.querySelectorAll('#broadcasts .broadcast').length"
        )
        .await,
        json!(0)
    );
    c.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_creator_uploads_a_logo_and_finds_it_on_the_next_thumbnail() {
    let Some(s) = start("en-US").await else {
        return;
    };
    let (c, base) = (&s.client, s.base.as_str());
    sign_up(c, base, "brand@example.com").await;

    // A magenta badge on a transparent background, chosen in the account page's brand kit.
    let logo = image::RgbaImage::from_fn(200, 100, |x, y| {
        if (10..190).contains(&x) && (10..90).contains(&y) {
            image::Rgba([255, 0, 255, 255])
        } else {
            image::Rgba([0, 0, 0, 0])
        }
    });
    let path = s._data.path().join("logo.png");
    logo.save(&path).unwrap();
    c.goto(&format!("{base}/account")).await.unwrap();
    wait_for(c, "#brand", 10).await;
    find(c, "#brand-logo")
        .await
        .send_keys(&path.display().to_string())
        .await
        .unwrap();
    js(
        c,
        "const s = document.getElementById('brand-corner'); s.value = 'top-right'; \
         s.dispatchEvent(new Event('change')); return true",
    )
    .await;
    find(c, "#brand-color-add").await.click().await.unwrap();
    find(c, "#brand-save").await.click().await.unwrap();
    wait_for_text(c, "Brand kit saved", 10).await;
    // The stored logo is shown back from the server.
    wait_for(c, "#brand-logo-preview:not([hidden])", 10).await;
    wait_for(c, "[data-brand-remove=logo]:not([hidden])", 10).await;
    shot(c, "brand-01-kit").await;
    check_page(c, "brand kit").await;

    // The next thumbnail carries it in the chosen corner.
    c.goto(&format!("{base}/")).await.unwrap();
    wait_for(c, "#composer", 10)
        .await
        .send_keys("cooking pasta at home, text: EASY PASTA")
        .await
        .unwrap();
    find(c, "#generate").await.click().await.unwrap();
    let card = wait_for(c, ".gen-card[data-status=completed]", 60).await;
    shot(c, "brand-02-result").await;
    let id = card.attr("data-generation").await.unwrap().unwrap();
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": "brand@example.com", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let g: Value = http
        .get(format!("{base}/api/v1/generations/{id}"))
        .bearer_auth(login["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(g["branding"]["logo"], true, "{g}");
    assert_eq!(g["branding"]["colors"], true, "{g}");
    let bytes = http
        .get(format!("{base}{}", g["result_url"].as_str().unwrap()))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    let rect: Vec<u32> = g["logo"]["rect"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap().round() as u32)
        .collect();
    let (cx, cy) = (rect[0] + rect[2] / 2, rect[1] + rect[3] / 2);
    let p = img.get_pixel(cx, cy);
    assert!(
        p[0] > 200 && p[1] < 70 && p[2] > 200,
        "the logo's colour at its centre ({cx},{cy}): {p:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_creator_keeps_favourites_and_shares_a_link_anyone_can_open() {
    let Some(s) = start("en-US").await else {
        return;
    };
    let (c, base) = (&s.client, s.base.as_str());
    let ids = three_results(base, "fav-ui@example.com").await;
    sign_in(c, base, "fav-ui@example.com").await;

    // Star the pasta result, then filter the gallery down to favourites.
    c.goto(&format!("{base}/gallery")).await.unwrap();
    let pasta = format!("[data-generation='{}']", ids[1]);
    wait_for(c, &format!("{pasta} [data-favorite='off']"), 10)
        .await
        .click()
        .await
        .unwrap();
    wait_for(c, &format!("{pasta} [data-favorite='on']"), 10).await;
    find(c, "#filter-favorite").await.click().await.unwrap();
    until(
        c,
        &format!(
            "document.querySelectorAll('.gen-card').length === 1 && document.querySelector('.gen-card').dataset.generation === '{}'",
            ids[1]
        ),
        10,
    )
    .await;
    shot(c, "favourites-only").await;

    // Share it; a fresh browser with no session opens the link.
    find(c, &format!("{pasta} [data-share]"))
        .await
        .click()
        .await
        .unwrap();
    wait_for(c, "[data-share-url]", 10).await;
    let url = js(
        c,
        "return document.querySelector('[data-share-url]').value;",
    )
    .await;
    let url = url.as_str().expect("a share link").to_string();
    assert!(url.starts_with(&format!("{base}/s/")), "{url}");
    let stranger = browser(s.driver_port, "en-US", &s.downloads).await;
    stranger.goto(&url).await.unwrap();
    until(
        &stranger,
        "document.querySelector('main img') && document.querySelector('main img').naturalWidth === 1280",
        10,
    )
    .await;
    let og = js(
        &stranger,
        "return document.querySelector('meta[property=\"og:image\"]').content;",
    )
    .await;
    assert!(og.as_str().unwrap().starts_with("http"), "{og}");
    assert_eq!(
        js(&stranger, "return !!document.querySelector('#email');").await,
        json!(false),
        "no sign-in asked"
    );
    shot(&stranger, "share-page-stranger").await;

    // Revoked: the same link is gone for the stranger.
    find(c, "[data-unshare]").await.click().await.unwrap();
    wait_for_text(c, "The link no longer works", 10).await;
    stranger.goto(&url).await.unwrap();
    until(&stranger, "document.title.startsWith('Not found')", 10).await;
    stranger.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_creator_uploads_a_thumbnail_previews_its_variants_and_downloads_three() {
    let Some(s) = start("en-US").await else {
        return;
    };
    let (c, base) = (&s.client, s.base.as_str());
    sign_up(c, base, "variants-ui@example.com").await;

    // A thumbnail that "already works": a face on the left, letters on the right.
    let thumb = image::RgbImage::from_fn(1280, 720, |x, y| {
        let (dx, dy) = (x as f32 - 400.0, y as f32 - 360.0);
        if (dx / 170.0).powi(2) + (dy / 240.0).powi(2) <= 1.0 {
            image::Rgb([224, 172, 140])
        } else if (760..1200).contains(&x) && (120..280).contains(&y) && (x / 28) % 2 == 0 {
            image::Rgb([255, 255, 255])
        } else {
            image::Rgb([(30 + x / 10) as u8, 50, (190 - x / 14) as u8])
        }
    });
    let path = s._data.path().join("thumb.jpg");
    thumb.save(&path).unwrap();
    c.goto(&format!("{base}/variants")).await.unwrap();
    wait_for(c, "#variants-file", 10)
        .await
        .send_keys(&path.display().to_string())
        .await
        .unwrap();
    until(
        c,
        "document.getElementById('variants-source').dataset.file",
        20,
    )
    .await;
    find(c, "#variants-headline")
        .await
        .send_keys("I QUIT?")
        .await
        .unwrap();
    find(c, "#variants-make").await.click().await.unwrap();
    until(
        c,
        "document.querySelectorAll('#variants-grid .variant-tile').length === 4",
        90,
    )
    .await;
    let changed = js(
        c,
        "return [...document.querySelectorAll('.variant-tile')].map(t => t.dataset.changed)",
    )
    .await;
    assert_eq!(
        changed,
        json!(["headline", "background", "contrast", "zoom"])
    );
    assert!(text_of(c, "#variants-grid").await.contains("New headline"));
    check_page(c, "variants").await;
    shot(c, "variants-grid").await;

    // Three picks: preview them in a feed on the page, then one zip for Test & Compare.
    let compare = find(c, "#variants-compare").await;
    for n in [0, 1, 3] {
        assert!(compare.attr("disabled").await.unwrap().is_some());
        find(c, &format!("input[data-pick-variant='{n}']"))
            .await
            .click()
            .await
            .unwrap();
    }
    assert_eq!(text_of(c, "#variant-pick-count").await, "3 of 3 picked");
    find(c, "#variants-preview").await.click().await.unwrap();
    assert_eq!(preview_shown(c, "home", "light").await, 1160);
    find(c, "[data-switch='feedLayout'] [data-value='search']")
        .await
        .click()
        .await
        .unwrap();
    preview_shown(c, "search", "light").await;
    shot(c, "variants-feed-search").await;
    compare.click().await.unwrap();
    let link = wait_for(c, "#test-set-download", 30).await;
    link.click().await.unwrap();
    let zip = wait_for_file(&s.downloads, "zip").await;
    let readme = test_set_readme(zip);
    assert!(readme.contains("new headline: I QUIT?"), "{readme}");
    assert!(readme.contains("background colour"), "{readme}");
    assert!(readme.contains("cropped"), "{readme}");
}
