// Every UI string in English and Persian. `t(key, vars)` fills {name} placeholders; numbers
// in vars are written with the language's digits.

const STRINGS = {
  en: {
    brand: "Routix", tagline: "Describe a thumbnail. Get it in seconds.", skip: "Skip to content", mainNav: "Main",
    chat: "Chat", gallery: "Gallery", templates: "Templates", account: "Account", admin: "Admin",
    signIn: "Sign in", signUp: "Create account", signOut: "Sign out", email: "Email", password: "Password",
    passwordHint: "At least 8 characters.", displayName: "Display name", optional: "optional",
    haveAccount: "Already have an account? Sign in", noAccount: "New here? Create an account",
    language: "Language", newChat: "New chat", conversations: "Conversations", noConversations: "No conversations yet.",
    showConversations: "Conversations", deleteConversation: "Delete conversation “{name}”", confirmDeleteConversation: "Delete this conversation and its messages?",
    rename: "Rename", renameTitle: "New name for this conversation", conversationTitle: "Conversation",
    searchChats: "Search conversations", searchResults: "Search results", searchCount: "{n} found", noSearchHits: "Nothing found.",
    searchNeedsWord: "Type a word to search for.", inTitle: "Title", archivedFilter: "Archived", archivedConversations: "Archived conversations",
    noArchived: "No archived conversations.", archivedBadge: "Archived", archive: "Archive", unarchive: "Unarchive",
    archivedDone: "Archived: it is out of your list, under “Archived”.", unarchivedDone: "Back in your list.",
    export: "Export", exportMarkdown: "Markdown (.md)", exportJson: "JSON (.json)",
    welcome: "What is your video about?",
    emptyChat: "Describe it in a sentence — “gaming video, red and black, text: NEW SEASON”. Drop or paste a reference photo if you have one, then press Generate.",
    message: "Message", send: "Send", generate: "Generate", generating: "Queuing…", attach: "Attach image", algorithm: "Quality",
    basic: "Basic", premium: "Premium", pro: "Pro", costs: "{a} · {n} credits", costs1: "{a} · 1 credit",
    creditsLeft: "{n} credits left", creditsLeft1: "1 credit left",
    typing: "Someone is typing…", connected: "Live", connecting: "Connecting…", reconnecting: "Reconnecting (try {n} of 5)…",
    offline: "Offline", reconnect: "Reconnect", suggestions: "Suggested templates", templateChosen: "Template: {name}",
    clearTemplate: "Stop using this template", pickTemplate: "Use the template {name}",
    stage1: "Analysing your request", stage2: "Matching a template", stage3: "Creating artwork", stage4: "Composing text and overlays", stage5: "Optimising and storing",
    stagesLabel: "Progress", queued: "Queued", processing: "Working", completed: "Done", failed: "Failed", cancelled: "Cancelled",
    cancel: "Cancel", download: "Download {f}", downloadAs: "Download as {f}", delete: "Delete", confirmDelete: "Delete this thumbnail?",
    deleted: "Deleted", openFull: "Open full size", refunded: "Your credits were refunded.",
    engine: "Made by {e}", fellBack: "fallback: {r}",
    returned: "Made offline, so charged the basic price ({c}): {n} credits returned",
    favorite: "Add to favourites", unfavorite: "Remove from favourites", favoritesOnly: "Favourites only",
    preview: "Preview", previewTitle: "Preview in a feed", previewInFeed: "Preview in feed", previewAlt: "The thumbnail in a YouTube-like feed",
    feedLayout: "Layout", feedTheme: "Theme", feed_home: "Home", feed_search: "Search", feed_mobile: "Mobile", feed_light: "Light", feed_dark: "Dark", videoTitle: "Video title",
    testCompare: "Test & Compare", pickForTest: "Pick for Test & Compare", picked: "{n} of {of} picked", pickedEnough: "Three are picked; unpick one first.",
    downloadZip: "Download the zip (A, B, C)",
    variantsTitle: "Variants of your thumbnail",
    variantsIntro: "Upload a thumbnail that already works. Each variant changes one thing — background colour, contrast, crop, a callout, or a new headline — so a test tells you which one moves clicks.",
    yourThumbnail: "Your thumbnail", variantsFileHint: "JPEG, PNG or WebP, best at 16:9 (it is fitted to 1280×720).",
    variantsPrompt: "What to try", variantsPromptHint: "e.g. make the background red",
    variantsDefaultPrompt: "variants of my thumbnail", variantsHeadline: "New headline", variantsCount: "How many",
    makeVariants: "Make variants", variantsNeedFile: "Choose your thumbnail first.", variantsMade: "{n} variants, one change each.",
    changed_background: "Background colour", changed_contrast: "Contrast", changed_zoom: "Closer crop", changed_callout: "Callout",
    changed_headline: "New headline", changed_edit: "Edited by the image model",
    share: "Share", shareLink: "Share link", copy: "Copy", copied: "Link copied", unshare: "Stop sharing", unshared: "The link no longer works", subject: "Subject: {s}",
    bank: "Template bank", bankFile: "Image or zip", titleOptional: "Title (optional)", tagsHint: "Tags, comma-separated",
    upload: "Upload", bankImported: "{n} added to the bank", bankEmpty: "The bank is empty: upload a designer thumbnail or a zip of them.",
    item: "Item", palette: "Palette", energy: "Energy", composition: "Composition", performance: "Uses · ratings",
    enabled: "On", featured: "Featured", text: "Text", subjectWord: "Subject",
    place_left: "left", place_right: "right", place_center: "centre", place_top: "top", place_bottom: "bottom", place_none: "—",
    variants: "Variants", variantsHint: "More layouts from one request: one price on basic, each image priced with a provider",
    variantsN: "{n}×", variantN: "Variant {n}", totalCost: "costs {n}", rateUp: "Good result", rateDown: "Bad result", editText: "Edit text", apply: "Apply", anotherLayout: "Try another layout",
    changeColours: "Change colours", shortened: "Text shortened to “{h}” so it reads at YouTube's size", e_compositor: "the Routix compositor",
    emptyGallery: "No thumbnails here yet.", goChat: "Make one in the chat", status: "Status", allStatuses: "All statuses",
    allAlgorithms: "All qualities", loadMore: "Load more", category: "Category", allCategories: "All categories",
    style: "Style", allStyles: "All styles", emptyTemplates: "No templates match these filters.",
    startChat: "Start a chat with this", rtlReady: "Persian-ready",
    balance: "Balance", credits: "{n} credits", credits1: "1 credit", plan: "Plan", plan_free: "Free (watermarked)", plan_pro: "Pro (no watermark)",
    plan_agency: "Agency (no watermark)", plan_enterprise: "Enterprise (unlimited)", unlimited: "Unlimited generations",
    perMonth: "{n} credits every month", buyCredits: "Buy credits", buyPack: "Buy for {price}", redirecting: "Opening the payment page…",
    checkoutDone: "Payment received — your credits arrive in a moment.", checkoutCancelled: "Payment cancelled; nothing was charged.",
    brandTitle: "Brand kit", brandExplain: "Your logo, colours and font go on every thumbnail; your face photo is the subject when a request is about you (\"my reaction…\").",
    brandLogo: "Logo", brandLogoHint: "PNG or WebP with a transparent background.", brandLogoAlt: "Your logo",
    brandFace: "Face photo", brandFaceHint: "JPEG, PNG or WebP; head and shoulders, facing the camera.", brandFaceAlt: "Your face photo",
    brandRemove: "Remove", brandColors: "Brand colours", brandColorsHint: "Up to four, used when a request names no colours: main, background, accent.",
    brandAddColor: "Add colour", brandColorN: "Colour {n}", brandRemoveColor: "Remove colour {n}",
    brandFont: "Headline font", brandFontHint: "Persian headlines keep a font with Persian letters.", brandFontLayout: "The layout's own",
    brandCorner: "Logo corner", brandCornerHint: "Bottom right is where YouTube shows the duration, so a logo there moves to the nearest free corner.",
    "corner_top-left": "Top left", "corner_top-right": "Top right", "corner_bottom-left": "Bottom left", "corner_bottom-right": "Bottom right",
    brandSaved: "Brand kit saved.",
    ytTitle: "YouTube channel", ytConnect: "Connect YouTube channel", ytReconnect: "Reconnect channel", ytDisconnect: "Disconnect",
    ytExplain: "Connect your channel to set a thumbnail on one of your videos straight from Routix.",
    ytConnectedAs: "Connected:", ytSince: "since {d}", ytNeedsReconnect: "YouTube no longer accepts Routix's access to this channel. Reconnect it to publish.",
    ytConfirmDisconnect: "Disconnect this channel? Routix's access is revoked at Google.", ytDisconnected: "Channel disconnected.",
    ytConnected: "Your YouTube channel is connected.", ytRedirecting: "Opening Google…", ytClose: "Close",
    ytConnectFailed_denied: "You didn't allow access on Google's page; nothing was connected.",
    ytConnectFailed_expired: "That connection attempt expired or was already used. Please try again.",
    ytConnectFailed_invalid_request: "Google sent back an incomplete answer. Please try again.",
    ytConnectFailed_scope: "Routix needs permission to upload thumbnails; allow it on Google's page and try again.",
    ytConnectFailed_no_channel: "That Google account has no YouTube channel.",
    ytConnectFailed_unavailable: "Google can't be reached right now. Please try again in a minute.",
    ytConnectFailed_failed: "Connecting the channel failed. Please try again.",
    ytPublish: "Publish to YouTube", ytPickVideo: "Set as the thumbnail of:", ytNoVideos: "This channel has no uploads yet.",
    ytPublished: "Thumbnail set on “{title}”.",
    algorithms: "Algorithms", chain: "Provider chain", chainHint: "Tried in order, comma-separated: {list}. Basic stays empty (offline compositor).",
    costPerImage: "Credits per image", wm_plan: "As the plan says", wm_always: "Always", wm_never: "Never",
    requests30: "Requests (30 days)", successRate: "Success", fallbackRate: "Fell back", durationP: "p50 / p95",
    plans: "Plans", packs: "Credit packs", nameEn: "Name (English)", nameFa: "Name (Persian)", monthlyCredits: "Monthly credits",
    priceCents: "Price (cents)", priceHint: "Empty: on request", currency: "Currency", watermark: "Watermark", packCredits: "Credits",
    n_pack: "{p} pack: {n} credits", n_plan: "{p} plan: {n} credits for {m}", n_plan_closed: "{p} plan closed: {n} credits used",
    pn_free: "Free", pn_pro: "Pro", pn_agency: "Agency", pn_enterprise: "Enterprise",
    profile: "Profile", ledger: "Credit history", emptyLedger: "No credit activity yet.", save: "Save", saved: "Saved",
    kind: "Type", amount: "Amount", note: "Note", when: "When",
    users: "Users", search: "Search by email", grant: "Grant", grantTo: "Credits to grant to {email}", granted: "Credits granted",
    role: "Role", role_user: "User", role_admin: "Admin", providers: "Providers", provider: "Provider",
    allGenerations: "Recent generations", noUsers: "No users match.", noGenerations: "No generations yet.",
    configuredQ: "Configured", am_rules: "rules only (no language model configured)", "am_llm with rules fallback": "language model, rules as fallback", yes: "Yes", no: "No", circuit: "Circuit", detail: "Details", analysisMode: "Analysis: {m}",
    circuit_closed: "closed (healthy)", "circuit_half-open": "half-open (testing)", circuit_open: "open (failing)", circuit_half_open: "half-open (testing)",
    templatesCount: "{n} templates", template: "Template", prompt: "Prompt", user: "User", notAdmin: "This page is for administrators.",
    dashboard: "Dashboard", statsDays: "Period", lastDays: "Last {n} days", statGenerations: "Generations", statFallbacks: "Fallbacks",
    statSignups: "Sign-ups", statGranted: "Credits granted", statSpent: "Credits spent", statRefunded: "Credits refunded",
    chartByStatus: "Generations per day by status", chartByEngine: "Generations per day by engine", chartCredits: "Credits per day",
    chartActivity: "Sign-ups and fallbacks per day", engineNone: "no image yet", stageTimes: "Stage times", stage: "Stage", samples: "Samples",
    stageTotal: "Whole run", stageNote: "From the start and finish time each completed generation records per stage (the latest 5,000 in the period).",
    millis: "{n} ms", seconds: "{n} s",
    audit: "Audit log", auditActor: "Actor (user id or cli)", auditTarget: "Target (kind or kind:id)", auditCli: "command line",
    auditAction: "Action", auditBefore: "Before", auditAfter: "After", auditEmpty: "No admin changes recorded.", more: "More",
    broadcasts: "Broadcasts", broadcastMessage: "Message to every signed-in user", broadcastLevel: "Level", broadcastHours: "Hours (optional)",
    broadcastSend: "Broadcast", broadcastSent: "Broadcast sent", broadcastEnd: "End", broadcastEnded: "Broadcast ended",
    level_info: "Info", level_warning: "Warning", level_critical: "Critical", expires: "Expires", untilEnded: "Until ended",
    noBroadcasts: "No broadcast is showing.", dismiss: "Dismiss",
    error: "Something went wrong: {m}", retry: "Try again", loading: "Loading…", notFound: "Page not found.",
    uploadFailed: "Upload failed: {m}", uploading: "Uploading {name}…", onlyImages: "Only JPEG, PNG or WebP images can be attached.",
    dropHere: "Drop images to attach", remove: "Remove {name}", you: "You", assistant: "Routix",
    k_grant: "Credits added", k_purchase: "Bought", k_reserve: "Reserved", k_settle: "Charged", k_refund: "Refunded",
    n_welcome: "Welcome credits", n_gen_basic: "Basic thumbnail", n_gen_premium: "Premium thumbnail", n_gen_pro: "Pro thumbnail",
    n_completed: "Thumbnail finished", n_refund_failed: "Refund: generation failed", n_refund_cancelled: "Refund: generation cancelled",
    n_refund_abandoned: "Refund: generation abandoned", n_admin: "Granted by an administrator",
    err_unauthorized: "Wrong email or password.", err_conflict: "An account with this email already exists.",
    err_rate_limited: "Too many attempts. Please wait a moment and try again.", err_insufficient_credits: "Not enough credits: {m}",
    err_payload_too_large: "That file is too large.", err_unsupported_media_type: "That file type isn't supported.",
    err_forbidden: "You don't have access to this.", err_not_found: "Not found — it may have been deleted.",
    err_internal_error: "The server had a problem. Please try again.", err_network: "Can't reach the server. Check your connection.",
    err_validation_error: "{m}",
    err_payments_not_configured: "Buying credits is not available on this site.",
    err_payments_unavailable: "The payment service is busy. Please try again in a minute.",
    err_payment_provider_error: "The payment service could not start a checkout; nothing was charged.",
    err_youtube_not_configured: "Publishing to YouTube is not available on this site.",
    err_youtube_not_connected: "Connect a YouTube channel on the account page first.",
    err_youtube_reconnect: "YouTube no longer accepts Routix's access to your channel. Reconnect it on the account page.",
    err_youtube_forbidden: "YouTube won't set a custom thumbnail for this video. Your channel may need verifying for custom thumbnails (youtube.com/verify).",
    err_youtube_quota_exceeded: "YouTube's daily limit for this site is used up. Please try again later.",
    err_youtube_rate_limited: "YouTube is limiting thumbnail uploads right now. Please try again in a few minutes.",
    err_youtube_unavailable: "YouTube can't be reached right now. Please try again later.",
    err_youtube_error: "YouTube refused the request: {m}", err_video_not_found: "That video isn't on your channel any more.",
    cat_gaming: "Gaming", cat_tech: "Tech", cat_education: "Education", cat_vlog: "Vlog", cat_cooking: "Cooking", cat_fitness: "Fitness",
    cat_finance: "Finance", cat_travel: "Travel", cat_music: "Music", cat_news: "News", cat_beauty: "Beauty", cat_sports: "Sports",
    cat_reaction: "Reaction", cat_tutorial: "Tutorial", cat_review: "Review", cat_podcast: "Podcast", cat_animals: "Animals", cat_cars: "Cars", cat_comedy: "Comedy",
    cat_entertainment: "Entertainment", cat_science: "Science", cat_kids: "Kids", cat_diy: "DIY", cat_general: "General",
    st_bold: "bold", st_cinematic: "cinematic", "st_high-contrast": "high contrast", st_minimal: "minimal", st_neon: "neon",
    st_playful: "playful", st_professional: "professional",
    m_calm: "calm", m_dramatic: "dramatic", m_energetic: "energetic", m_fun: "fun", m_inspiring: "inspiring", m_serious: "serious",
    verify: "Confirm email", forgot: "Forgot password", reset: "New password", forgotLink: "Forgot your password?",
    verifying: "Confirming your email…", verified: "Your email is confirmed. Thank you!", continue: "Continue",
    linkGone: "This link was already used, replaced by a newer one, or has expired.",
    linkInvalid: "This link is not valid. Check that you opened the whole link from the mail.", askNewLink: "Send me a new link",
    forgotIntro: "Enter your account's email address and we'll mail you a link to choose a new password.", sendLink: "Send link",
    forgotSent: "If an account uses {email}, a link is on its way. It works once, for one hour.",
    newPassword: "New password", confirmPassword: "Repeat the new password", passwordsDiffer: "The two passwords are different.",
    setPassword: "Set password", passwordReset: "Your password is changed and every session is signed out. Sign in with the new password.",
    changePassword: "Change password", currentPassword: "Current password", passwordChanged: "Password changed. Your other devices are signed out.",
    verifyBanner: "Please confirm your email address: we sent a link to", resend: "Send it again", resent: "A new link is on its way.",
    emailVerified: "Email confirmed", resendVerification: "Resend confirmation link",
    err_token_gone: "This link was already used, replaced by a newer one, or has expired.",
    err_invalid_token: "This link is not valid. Check that you opened the whole link from the mail.",
    err_wrong_password: "The current password is not right.", err_already_verified: "Your email is already confirmed.",
    err_email_unverified: "Confirm your email address first — the link is in the mail we sent you.",
  },
  fa: {
    brand: "روتیکس", tagline: "تامبنیل را توصیف کنید؛ در چند ثانیه تحویل بگیرید.", skip: "رفتن به محتوا", mainNav: "اصلی",
    chat: "گفتگو", gallery: "گالری", templates: "قالب‌ها", account: "حساب", admin: "مدیریت",
    signIn: "ورود", signUp: "ساخت حساب", signOut: "خروج", email: "ایمیل", password: "رمز عبور",
    passwordHint: "دست‌کم ۸ نویسه.", displayName: "نام نمایشی", optional: "اختیاری",
    haveAccount: "حساب دارید؟ وارد شوید", noAccount: "تازه‌وارد هستید؟ حساب بسازید",
    language: "زبان", newChat: "گفتگوی تازه", conversations: "گفتگوها", noConversations: "هنوز گفتگویی ندارید.",
    showConversations: "گفتگوها", deleteConversation: "حذف گفتگوی «{name}»", confirmDeleteConversation: "این گفتگو و پیام‌هایش حذف شود؟",
    rename: "تغییر نام", renameTitle: "نام تازهٔ این گفتگو", conversationTitle: "گفتگو",
    searchChats: "جستجو در گفتگوها", searchResults: "نتیجه‌های جستجو", searchCount: "{n} مورد پیدا شد", noSearchHits: "چیزی پیدا نشد.",
    searchNeedsWord: "واژه‌ای برای جستجو بنویسید.", inTitle: "عنوان", archivedFilter: "بایگانی", archivedConversations: "گفتگوهای بایگانی‌شده",
    noArchived: "گفتگوی بایگانی‌شده‌ای ندارید.", archivedBadge: "بایگانی‌شده", archive: "بایگانی", unarchive: "بازگرداندن از بایگانی",
    archivedDone: "بایگانی شد: از فهرست بیرون رفت و زیر «بایگانی» است.", unarchivedDone: "به فهرست برگشت.",
    export: "خروجی", exportMarkdown: "مارک‌داون (.md)", exportJson: "JSON (.json)",
    welcome: "ویدیوی شما دربارهٔ چیست؟",
    emptyChat: "در یک جمله توصیفش کنید — «تامبنیل گیمینگ با رنگ‌های قرمز و مشکی، متن: فصل جدید». اگر عکس مرجع دارید آن را بکشید یا بچسبانید، سپس «ساخت تامبنیل» را بزنید.",
    message: "پیام", send: "ارسال", generate: "ساخت تامبنیل", generating: "در حال ثبت…", attach: "افزودن تصویر", algorithm: "کیفیت",
    basic: "پایه", premium: "ویژه", pro: "حرفه‌ای", costs: "{a} ({n} اعتبار)", costs1: "{a} (۱ اعتبار)",
    creditsLeft: "{n} اعتبار باقی‌مانده", creditsLeft1: "۱ اعتبار باقی‌مانده",
    typing: "کسی در حال نوشتن است…", connected: "زنده", connecting: "در حال اتصال…", reconnecting: "اتصال دوباره (تلاش {n} از ۵)…",
    offline: "قطع", reconnect: "اتصال دوباره", suggestions: "قالب‌های پیشنهادی", templateChosen: "قالب: {name}",
    clearTemplate: "کنار گذاشتن این قالب", pickTemplate: "استفاده از قالب {name}",
    stage1: "تحلیل درخواست", stage2: "انتخاب قالب", stage3: "ساخت تصویر", stage4: "چیدمان متن و جلوه‌ها", stage5: "بهینه‌سازی و ذخیره",
    stagesLabel: "پیشرفت", queued: "در صف", processing: "در حال ساخت", completed: "آماده", failed: "ناموفق", cancelled: "لغو شد",
    cancel: "لغو", download: "دانلود {f}", downloadAs: "دانلود با قالب {f}", delete: "حذف", confirmDelete: "این تامبنیل حذف شود؟",
    deleted: "حذف شد", openFull: "نمایش در اندازهٔ کامل", refunded: "اعتبار شما بازگردانده شد.",
    engine: "ساخته‌شده با {e}", fellBack: "جایگزین: {r}",
    returned: "بدون سرویس پولی ساخته شد و به قیمت پایه ({c}) حساب شد: {n} اعتبار برگشت",
    favorite: "افزودن به برگزیده‌ها", unfavorite: "حذف از برگزیده‌ها", favoritesOnly: "فقط برگزیده‌ها",
    preview: "پیش‌نمایش", previewTitle: "پیش‌نمایش در فید", previewInFeed: "پیش‌نمایش در فید", previewAlt: "تصویر بندانگشتی در فیدی شبیه یوتیوب",
    feedLayout: "چیدمان", feedTheme: "پوسته", feed_home: "خانه", feed_search: "جستجو", feed_mobile: "موبایل", feed_light: "روشن", feed_dark: "تیره", videoTitle: "عنوان ویدیو",
    testCompare: "آزمون و مقایسه", pickForTest: "انتخاب برای آزمون و مقایسه", picked: "{n} از {of} انتخاب شده", pickedEnough: "سه مورد انتخاب شده؛ اول یکی را بردارید.",
    downloadZip: "دریافت فایل زیپ (A، B، C)",
    variantsTitle: "نسخه‌های تصویر بندانگشتی شما",
    variantsIntro: "تصویری را که جواب داده بارگذاری کنید. هر نسخه فقط یک چیز را تغییر می‌دهد — رنگ پس‌زمینه، کنتراست، کادر، یک نشانگر یا تیتر تازه — تا آزمون نشان دهد کدام کلیک بیشتری می‌آورد.",
    yourThumbnail: "تصویر بندانگشتی شما", variantsFileHint: "JPEG، PNG یا WebP، بهتر با نسبت ۱۶:۹ (به ۱۲۸۰×۷۲۰ درمی‌آید).",
    variantsPrompt: "چه چیزی را امتحان کنیم", variantsPromptHint: "مثلاً پس‌زمینه را قرمز کن",
    variantsDefaultPrompt: "نسخه‌های تصویر من", variantsHeadline: "تیتر تازه", variantsCount: "چند نسخه",
    makeVariants: "ساخت نسخه‌ها", variantsNeedFile: "اول تصویر بندانگشتی‌تان را انتخاب کنید.", variantsMade: "{n} نسخه، هر کدام با یک تغییر.",
    changed_background: "رنگ پس‌زمینه", changed_contrast: "کنتراست", changed_zoom: "کادر نزدیک‌تر", changed_callout: "نشانگر",
    changed_headline: "تیتر تازه", changed_edit: "ویرایش با مدل تصویر",
    share: "اشتراک‌گذاری", shareLink: "پیوند اشتراک", copy: "کپی", copied: "پیوند کپی شد", unshare: "توقف اشتراک", unshared: "پیوند دیگر کار نمی‌کند", subject: "سوژه: {s}",
    bank: "بانک قالب", bankFile: "تصویر یا فایل zip", titleOptional: "عنوان (اختیاری)", tagsHint: "برچسب‌ها، جدا با ویرگول",
    upload: "بارگذاری", bankImported: "{n} مورد به بانک افزوده شد", bankEmpty: "بانک خالی است: یک تامبنیل طراحی‌شده یا فایل zip بارگذاری کنید.",
    item: "مورد", palette: "پالت", energy: "انرژی", composition: "چیدمان", performance: "استفاده · امتیاز",
    enabled: "فعال", featured: "ویژه", text: "متن", subjectWord: "سوژه",
    place_left: "چپ", place_right: "راست", place_center: "وسط", place_top: "بالا", place_bottom: "پایین", place_none: "—",
    variants: "نسخه‌ها", variantsHint: "چند چیدمان از یک درخواست: در پایه یک قیمت، با سرویس تصویر هر تصویر قیمت خودش",
    variantsN: "{n}×", variantN: "نسخهٔ {n}", totalCost: "هزینه {n}", rateUp: "نتیجهٔ خوب", rateDown: "نتیجهٔ بد", editText: "ویرایش متن", apply: "اعمال", anotherLayout: "چیدمان دیگر",
    changeColours: "تغییر رنگ‌ها", shortened: "متن به «{h}» کوتاه شد تا در اندازهٔ یوتیوب خوانا باشد", e_compositor: "ترکیب‌گر روتیکس",
    emptyGallery: "هنوز تامبنیلی اینجا نیست.", goChat: "در گفتگو یکی بسازید", status: "وضعیت", allStatuses: "همهٔ وضعیت‌ها",
    allAlgorithms: "همهٔ کیفیت‌ها", loadMore: "بیشتر", category: "دسته", allCategories: "همهٔ دسته‌ها",
    style: "سبک", allStyles: "همهٔ سبک‌ها", emptyTemplates: "قالبی با این فیلترها پیدا نشد.",
    startChat: "شروع گفتگو با این قالب", rtlReady: "مناسب فارسی",
    balance: "موجودی", credits: "{n} اعتبار", credits1: "۱ اعتبار", plan: "اشتراک", plan_free: "رایگان (با واترمارک)", plan_pro: "حرفه‌ای (بدون واترمارک)",
    plan_agency: "آژانس (بدون واترمارک)", plan_enterprise: "سازمانی (نامحدود)", unlimited: "ساخت نامحدود",
    perMonth: "{n} اعتبار در هر ماه", buyCredits: "خرید اعتبار", buyPack: "خرید با {price}", redirecting: "در حال باز کردن صفحهٔ پرداخت…",
    checkoutDone: "پرداخت انجام شد — اعتبار شما تا لحظاتی دیگر افزوده می‌شود.", checkoutCancelled: "پرداخت لغو شد؛ مبلغی کسر نشد.",
    brandTitle: "کیت برند", brandExplain: "لوگو، رنگ‌ها و قلم شما روی همهٔ تامبنیل‌ها می‌آید؛ وقتی درخواست دربارهٔ خود شماست («واکنش من…») عکس چهره‌تان سوژه می‌شود.",
    brandLogo: "لوگو", brandLogoHint: "PNG یا WebP با پس‌زمینهٔ شفاف.", brandLogoAlt: "لوگوی شما",
    brandFace: "عکس چهره", brandFaceHint: "JPEG، PNG یا WebP؛ سر و شانه، رو به دوربین.", brandFaceAlt: "عکس چهرهٔ شما",
    brandRemove: "حذف", brandColors: "رنگ‌های برند", brandColorsHint: "تا چهار رنگ، برای وقتی که درخواست رنگی نمی‌گوید: اصلی، پس‌زمینه، تأکیدی.",
    brandAddColor: "افزودن رنگ", brandColorN: "رنگ {n}", brandRemoveColor: "حذف رنگ {n}",
    brandFont: "قلم تیتر", brandFontHint: "تیترهای فارسی قلمی با حروف فارسی می‌گیرند.", brandFontLayout: "قلم خود قالب",
    brandCorner: "گوشهٔ لوگو", brandCornerHint: "پایین راست جای مدت ویدیو در یوتیوب است؛ لوگوی آنجا به نزدیک‌ترین گوشهٔ آزاد می‌رود.",
    "corner_top-left": "بالا چپ", "corner_top-right": "بالا راست", "corner_bottom-left": "پایین چپ", "corner_bottom-right": "پایین راست",
    brandSaved: "کیت برند ذخیره شد.",
    ytTitle: "کانال یوتیوب", ytConnect: "اتصال کانال یوتیوب", ytReconnect: "اتصال دوبارهٔ کانال", ytDisconnect: "قطع اتصال",
    ytExplain: "کانال خود را وصل کنید تا تصویر بندانگشتی ویدیوهایتان را مستقیم از روتیکس تنظیم کنید.",
    ytConnectedAs: "متصل:", ytSince: "از {d}", ytNeedsReconnect: "یوتیوب دیگر دسترسی روتیکس به این کانال را نمی‌پذیرد. برای انتشار دوباره وصل کنید.",
    ytConfirmDisconnect: "اتصال این کانال قطع شود؟ دسترسی روتیکس در گوگل لغو می‌شود.", ytDisconnected: "اتصال کانال قطع شد.",
    ytConnected: "کانال یوتیوب شما وصل شد.", ytRedirecting: "در حال باز کردن گوگل…", ytClose: "بستن",
    ytConnectFailed_denied: "در صفحهٔ گوگل اجازهٔ دسترسی ندادید؛ چیزی وصل نشد.",
    ytConnectFailed_expired: "این تلاش برای اتصال منقضی شده یا قبلاً استفاده شده است. دوباره امتحان کنید.",
    ytConnectFailed_invalid_request: "پاسخ گوگل ناقص بود. دوباره امتحان کنید.",
    ytConnectFailed_scope: "روتیکس برای بارگذاری تصویر بندانگشتی به اجازه نیاز دارد؛ در صفحهٔ گوگل آن را بدهید و دوباره امتحان کنید.",
    ytConnectFailed_no_channel: "این حساب گوگل کانال یوتیوب ندارد.",
    ytConnectFailed_unavailable: "اکنون دسترسی به گوگل ممکن نیست. یک دقیقهٔ دیگر دوباره امتحان کنید.",
    ytConnectFailed_failed: "اتصال کانال انجام نشد. دوباره امتحان کنید.",
    ytPublish: "انتشار در یوتیوب", ytPickVideo: "تنظیم به‌عنوان تصویر بندانگشتی:", ytNoVideos: "این کانال هنوز ویدیویی ندارد.",
    ytPublished: "تصویر بندانگشتی «{title}» تنظیم شد.",
    algorithms: "الگوریتم‌ها", chain: "زنجیرهٔ سرویس‌ها", chainHint: "به ترتیب امتحان می‌شوند، با ویرگول: {list}. «پایه» خالی می‌ماند (سازندهٔ آفلاین).",
    costPerImage: "اعتبار هر تصویر", wm_plan: "طبق اشتراک", wm_always: "همیشه", wm_never: "هرگز",
    requests30: "درخواست‌ها (۳۰ روز)", successRate: "موفق", fallbackRate: "جایگزین", durationP: "p50 / p95",
    plans: "اشتراک‌ها", packs: "بسته‌های اعتبار", nameEn: "نام (انگلیسی)", nameFa: "نام (فارسی)", monthlyCredits: "اعتبار ماهانه",
    priceCents: "قیمت (سنت)", priceHint: "خالی: با تماس", currency: "واحد پول", watermark: "واترمارک", packCredits: "اعتبار",
    n_pack: "بستهٔ {p}: {n} اعتبار", n_plan: "اشتراک {p}: {n} اعتبار برای {m}", n_plan_closed: "پایان اشتراک {p}: {n} اعتبار مصرف شد",
    pn_free: "رایگان", pn_pro: "حرفه‌ای", pn_agency: "آژانس", pn_enterprise: "سازمانی",
    profile: "نمایه", ledger: "تاریخچهٔ اعتبار", emptyLedger: "هنوز تراکنشی ندارید.", save: "ذخیره", saved: "ذخیره شد",
    kind: "نوع", amount: "مقدار", note: "توضیح", when: "زمان",
    users: "کاربران", search: "جستجو با ایمیل", grant: "افزودن اعتبار", grantTo: "اعتبار برای {email}", granted: "اعتبار افزوده شد",
    role: "نقش", role_user: "کاربر", role_admin: "مدیر", providers: "سرویس‌دهنده‌ها", provider: "سرویس‌دهنده",
    allGenerations: "ساخته‌های اخیر", noUsers: "کاربری پیدا نشد.", noGenerations: "هنوز چیزی ساخته نشده.",
    configuredQ: "پیکربندی", am_rules: "فقط قاعده‌ها (مدل زبانی پیکربندی نشده)", "am_llm with rules fallback": "مدل زبانی، با قاعده‌ها به‌عنوان پشتیبان", yes: "بله", no: "خیر", circuit: "مدار", detail: "جزئیات", analysisMode: "تحلیل: {m}",
    circuit_closed: "بسته (سالم)", "circuit_half-open": "نیمه‌باز (در حال آزمون)", circuit_open: "باز (ناموفق)", circuit_half_open: "نیمه‌باز (در حال آزمون)",
    templatesCount: "{n} قالب", template: "قالب", prompt: "درخواست", user: "کاربر", notAdmin: "این صفحه ویژهٔ مدیران است.",
    dashboard: "داشبورد", statsDays: "بازه", lastDays: "{n} روز گذشته", statGenerations: "ساخته‌ها", statFallbacks: "جایگزینی‌ها",
    statSignups: "ثبت‌نام‌ها", statGranted: "اعتبار داده‌شده", statSpent: "اعتبار مصرف‌شده", statRefunded: "اعتبار بازگشتی",
    chartByStatus: "ساخته‌های هر روز به تفکیک وضعیت", chartByEngine: "ساخته‌های هر روز به تفکیک موتور", chartCredits: "اعتبار در هر روز",
    chartActivity: "ثبت‌نام‌ها و جایگزینی‌ها در هر روز", engineNone: "هنوز بدون تصویر", stageTimes: "زمان مرحله‌ها", stage: "مرحله", samples: "نمونه‌ها",
    stageTotal: "کل اجرا", stageNote: "بر پایهٔ زمان آغاز و پایانی که هر ساختهٔ کامل برای هر مرحله ثبت می‌کند (۵٬۰۰۰ مورد آخرِ بازه).",
    millis: "{n} میلی‌ثانیه", seconds: "{n} ثانیه",
    audit: "گزارش تغییرات مدیران", auditActor: "انجام‌دهنده (شناسهٔ کاربر یا cli)", auditTarget: "هدف (نوع یا نوع:شناسه)", auditCli: "خط فرمان",
    auditAction: "کار", auditBefore: "پیش از", auditAfter: "پس از", auditEmpty: "هنوز تغییری از مدیران ثبت نشده.", more: "بیشتر",
    broadcasts: "اطلاعیه‌ها", broadcastMessage: "پیام به همهٔ کاربران واردشده", broadcastLevel: "سطح", broadcastHours: "ساعت (اختیاری)",
    broadcastSend: "ارسال اطلاعیه", broadcastSent: "اطلاعیه فرستاده شد", broadcastEnd: "پایان", broadcastEnded: "اطلاعیه پایان یافت",
    level_info: "اطلاع", level_warning: "هشدار", level_critical: "فوری", expires: "پایان اعتبار", untilEnded: "تا پایان دستی",
    noBroadcasts: "اطلاعیه‌ای در حال نمایش نیست.", dismiss: "بستن",
    error: "خطایی رخ داد: {m}", retry: "تلاش دوباره", loading: "در حال بارگذاری…", notFound: "صفحه پیدا نشد.",
    uploadFailed: "بارگذاری ناموفق: {m}", uploading: "در حال بارگذاری {name}…", onlyImages: "فقط تصویرهای JPEG، PNG یا WebP را می‌توان افزود.",
    dropHere: "تصویر را اینجا رها کنید", remove: "حذف {name}", you: "شما", assistant: "روتیکس",
    k_grant: "افزایش اعتبار", k_purchase: "خرید", k_reserve: "رزرو", k_settle: "کسر نهایی", k_refund: "بازگشت",
    n_welcome: "اعتبار خوش‌آمد", n_gen_basic: "تامبنیل پایه", n_gen_premium: "تامبنیل ویژه", n_gen_pro: "تامبنیل حرفه‌ای",
    n_completed: "تامبنیل آماده شد", n_refund_failed: "بازگشت: ساخت ناموفق بود", n_refund_cancelled: "بازگشت: ساخت لغو شد",
    n_refund_abandoned: "بازگشت: ساخت نیمه‌کاره ماند", n_admin: "افزوده‌شده توسط مدیر",
    err_unauthorized: "ایمیل یا رمز عبور نادرست است.", err_conflict: "حسابی با این ایمیل از قبل وجود دارد.",
    err_rate_limited: "تلاش‌ها بیش از حد است. کمی صبر کنید و دوباره امتحان کنید.", err_insufficient_credits: "اعتبار کافی نیست. موجودی را در صفحهٔ حساب ببینید.",
    err_payload_too_large: "این فایل بیش از حد بزرگ است.", err_unsupported_media_type: "این نوع فایل پشتیبانی نمی‌شود.",
    err_forbidden: "به این بخش دسترسی ندارید.", err_not_found: "پیدا نشد — شاید حذف شده باشد.",
    err_internal_error: "سرور با مشکل روبه‌رو شد. دوباره امتحان کنید.", err_network: "دسترسی به سرور ممکن نیست. اتصال خود را بررسی کنید.",
    err_validation_error: "ورودی نامعتبر است ({m})",
    err_payments_not_configured: "خرید اعتبار در این سایت فعال نیست.",
    err_payments_unavailable: "سرویس پرداخت شلوغ است. یک دقیقهٔ دیگر دوباره امتحان کنید.",
    err_payment_provider_error: "سرویس پرداخت نتوانست پرداخت را آغاز کند؛ مبلغی کسر نشد.",
    err_youtube_not_configured: "انتشار در یوتیوب در این سایت فعال نیست.",
    err_youtube_not_connected: "ابتدا در صفحهٔ حساب یک کانال یوتیوب وصل کنید.",
    err_youtube_reconnect: "یوتیوب دیگر دسترسی روتیکس به کانال شما را نمی‌پذیرد. در صفحهٔ حساب دوباره وصل کنید.",
    err_youtube_forbidden: "یوتیوب برای این ویدیو تصویر بندانگشتی سفارشی نمی‌پذیرد. شاید کانال شما باید برای این کار تأیید شود (youtube.com/verify).",
    err_youtube_quota_exceeded: "سهمیهٔ روزانهٔ یوتیوب برای این سایت تمام شده است. بعداً دوباره امتحان کنید.",
    err_youtube_rate_limited: "یوتیوب فعلاً بارگذاری تصویر بندانگشتی را محدود کرده است. چند دقیقهٔ دیگر دوباره امتحان کنید.",
    err_youtube_unavailable: "اکنون دسترسی به یوتیوب ممکن نیست. بعداً دوباره امتحان کنید.",
    err_youtube_error: "یوتیوب درخواست را نپذیرفت: {m}", err_video_not_found: "این ویدیو دیگر در کانال شما نیست.",
    cat_gaming: "گیمینگ", cat_tech: "فناوری", cat_education: "آموزشی", cat_vlog: "ولاگ", cat_cooking: "آشپزی", cat_fitness: "تناسب اندام",
    cat_finance: "مالی", cat_travel: "سفر", cat_music: "موسیقی", cat_news: "خبری", cat_beauty: "زیبایی", cat_sports: "ورزشی",
    cat_reaction: "واکنش", cat_tutorial: "آموزش گام‌به‌گام", cat_review: "نقد و بررسی", cat_podcast: "پادکست", cat_animals: "حیوانات", cat_cars: "خودرو", cat_comedy: "طنز",
    cat_entertainment: "سرگرمی", cat_science: "علمی", cat_kids: "کودک", cat_diy: "ساختنی و تعمیر", cat_general: "عمومی",
    st_bold: "پررنگ", st_cinematic: "سینمایی", "st_high-contrast": "کنتراست بالا", st_minimal: "مینیمال", st_neon: "نئونی",
    st_playful: "شاد", st_professional: "حرفه‌ای",
    m_calm: "آرام", m_dramatic: "دراماتیک", m_energetic: "پرانرژی", m_fun: "سرگرم‌کننده", m_inspiring: "الهام‌بخش", m_serious: "جدی",
    verify: "تأیید ایمیل", forgot: "فراموشی رمز عبور", reset: "رمز عبور تازه", forgotLink: "رمز عبور را فراموش کرده‌اید؟",
    verifying: "در حال تأیید ایمیل شما…", verified: "ایمیل شما تأیید شد. سپاسگزاریم!", continue: "ادامه",
    linkGone: "این پیوند قبلاً استفاده شده، با پیوند تازه‌تری جایگزین شده یا منقضی شده است.",
    linkInvalid: "این پیوند معتبر نیست. مطمئن شوید کل پیوند ایمیل را باز کرده‌اید.", askNewLink: "پیوند تازه بفرستید",
    forgotIntro: "نشانی ایمیل حسابتان را وارد کنید تا پیوندی برای انتخاب رمز تازه برایتان بفرستیم.", sendLink: "ارسال پیوند",
    forgotSent: "اگر حسابی با {email} وجود داشته باشد، پیوندی در راه است. این پیوند یک بار و تا یک ساعت کار می‌کند.",
    newPassword: "رمز عبور تازه", confirmPassword: "تکرار رمز عبور تازه", passwordsDiffer: "دو رمز عبور یکسان نیستند.",
    setPassword: "ثبت رمز عبور", passwordReset: "رمز عبور شما تغییر کرد و از همهٔ دستگاه‌ها خارج شدید. با رمز تازه وارد شوید.",
    changePassword: "تغییر رمز عبور", currentPassword: "رمز عبور فعلی", passwordChanged: "رمز عبور تغییر کرد. دستگاه‌های دیگرتان از حساب خارج شدند.",
    verifyBanner: "لطفاً نشانی ایمیل خود را تأیید کنید؛ پیوند را فرستادیم به", resend: "ارسال دوباره", resent: "پیوند تازه در راه است.",
    emailVerified: "ایمیل تأییدشده", resendVerification: "ارسال دوبارهٔ پیوند تأیید",
    err_token_gone: "این پیوند قبلاً استفاده شده، با پیوند تازه‌تری جایگزین شده یا منقضی شده است.",
    err_invalid_token: "این پیوند معتبر نیست. مطمئن شوید کل پیوند ایمیل را باز کرده‌اید.",
    err_wrong_password: "رمز عبور فعلی درست نیست.", err_already_verified: "ایمیل شما قبلاً تأیید شده است.",
    err_email_unverified: "ابتدا نشانی ایمیل خود را تأیید کنید — پیوند در ایمیلی است که برایتان فرستادیم.",
  },
};

export const LANGS = { en: "English", fa: "فارسی" };

let lang = "en";

export function setLang(next) {
  lang = STRINGS[next] ? next : "en";
  document.documentElement.lang = lang;
  document.documentElement.dir = lang === "fa" ? "rtl" : "ltr";
  try { localStorage.setItem("routix.lang", lang); } catch (_) { /* private mode */ }
}

export function getLang() { return lang; }

/// The account's language, else the saved choice, else the browser's (Accept-Language).
export function initialLang(accountLocale) {
  if (accountLocale && STRINGS[accountLocale]) return accountLocale;
  try {
    const saved = localStorage.getItem("routix.lang");
    if (saved && STRINGS[saved]) return saved;
  } catch (_) { /* ignore */ }
  return (navigator.languages || [navigator.language || "en"]).some((l) => l.toLowerCase().startsWith("fa")) ? "fa" : "en";
}

export function has(key) { return key in STRINGS[lang] || key in STRINGS.en; }

/// A number with the language's digits (۱۲۳ in Persian).
export function num(n) { return new Intl.NumberFormat(lang === "fa" ? "fa-IR" : "en-US").format(n); }

/// A percentage, 0-100, as the language writes it (۷۵٪ in Persian).
export function pct(n) { return new Intl.NumberFormat(lang === "fa" ? "fa-IR" : "en-US", { style: "percent" }).format(n / 100); }

export function t(key, vars = {}) {
  const s = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => {
    const v = vars[k];
    return typeof v === "number" ? num(v) : String(v ?? "");
  });
}

/// A translated label for a server-side code (category, style, ...), else the code itself.
export function label(prefix, code) {
  const key = prefix + String(code);
  return has(key) ? t(key) : String(code);
}

/// A price in minor units (cents) as the language writes it: $15.00, ۱۵٫۰۰ US$.
export function money(cents, currency) {
  try {
    return new Intl.NumberFormat(lang === "fa" ? "fa-IR" : "en-US", { style: "currency", currency: currency.toUpperCase() }).format(cents / 100);
  } catch (_) { return `${num(cents / 100)} ${currency.toUpperCase()}`; }
}

/// "{n} credits" with the singular where the language has one.
export function credits(n, key = "credits") {
  return n === 1 && has(key + "1") ? t(key + "1") : t(key, { n });
}

export function fmtTime(iso) {
  return new Date(iso).toLocaleString(lang === "fa" ? "fa-IR" : "en-GB", { dateStyle: "medium", timeStyle: "short" });
}

/// Ledger notes are written by the server in English; known ones are translated.
export function ledgerNote(note) {
  const known = {
    "welcome credits": "n_welcome", "basic generation": "n_gen_basic", "premium generation": "n_gen_premium",
    "pro generation": "n_gen_pro", "generation completed": "n_completed", "refund: generation failed": "n_refund_failed",
    "refund: generation cancelled": "n_refund_cancelled", "refund: generation abandoned": "n_refund_abandoned",
    "granted by an admin": "n_admin",
  };
  if (known[note]) return t(known[note]);
  // Purchases and plan grants: "Creator pack: 200 credits (cs_…)", "pro plan: 100 credits for 2026-12".
  let m = /^(.+) pack: (\d+) credits \(.+\)$/.exec(note);
  if (m) return t("n_pack", { p: m[1], n: Number(m[2]) });
  m = /^(\w+) plan: (\d+) credits for (\d{4}-\d{2})$/.exec(note);
  if (m) return t("n_plan", { p: label("pn_", m[1]), n: Number(m[2]), m: m[3] });
  m = /^(\w+) plan closed: (\d+) credits used$/.exec(note);
  if (m) return t("n_plan_closed", { p: label("pn_", m[1]), n: Number(m[2]) });
  return note;
}

/// "compositor" -> "the Routix compositor"; provider engines ("openai:dall-e-3") stay as they are.
export function engineName(engine) { return label("e_", engine); }

/// Whether a conversation still has the title it was created with (so the first message
/// may name it).
export function isDefaultTitle(title) {
  return Object.values(STRINGS).some((s) => s.newChat === title);
}

/// "a, b, c" with the language's comma.
/// A template's name and description in the UI language when it has them.
/// An algorithm's name from `GET /api/v1/algorithms`, in the current language.
export function algorithmName(a) { return (lang === "fa" ? a.name_fa : a.name_en) || a.name_en || a.id; }
export function templateName(tpl) { return tpl.translations?.[lang]?.name || tpl.name; }
export function templateDescription(tpl) { return tpl.translations?.[lang]?.description || tpl.description; }

export function joinList(items) { return items.join(lang === "fa" ? "، " : ", "); }
