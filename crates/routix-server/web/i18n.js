// Every UI string in English and Persian. `t(key, vars)` fills {name} placeholders.

const STRINGS = {
  en: {
    brand: "Routix", tagline: "Describe a thumbnail. Get it in seconds.",
    chat: "Chat", gallery: "Gallery", templates: "Templates", account: "Account", admin: "Admin",
    signIn: "Sign in", signUp: "Create account", signOut: "Sign out", email: "Email", password: "Password",
    displayName: "Display name", haveAccount: "Already have an account? Sign in", noAccount: "New here? Create an account",
    language: "Language", newChat: "New chat", conversations: "Conversations", noConversations: "No conversations yet. Start one!",
    emptyChat: "Describe your video: “gaming video, red and black, text: NEW SEASON”. Drop or paste a reference photo if you have one.",
    message: "Message", send: "Send", generate: "Generate", attach: "Attach image", algorithm: "Quality",
    basic: "Basic · {n} credit", premium: "Premium · {n} credits", pro: "Pro · {n} credits",
    typing: "typing…", connected: "Live", connecting: "Connecting…", reconnecting: "Reconnecting (try {n} of 5)…",
    offline: "Offline", reconnect: "Reconnect", suggestions: "Suggested templates", useTemplate: "Use {name}",
    stage1: "Analysing", stage2: "Matching template", stage3: "Creating artwork", stage4: "Composing", stage5: "Optimising and storing",
    queued: "Queued", processing: "Working", completed: "Done", failed: "Failed", cancelled: "Cancelled",
    cancel: "Cancel", download: "Download {f}", delete: "Delete", confirmDelete: "Delete this thumbnail?",
    engine: "Made by {e}", fellBack: "Fell back: {r}", emptyGallery: "No thumbnails yet — make one in the chat.",
    allStatuses: "All statuses", allAlgorithms: "All qualities", loadMore: "Load more", allCategories: "All categories",
    startChat: "Start a chat with this", balance: "Balance", credits: "{n} credits", plan: "Plan", free: "Free (watermarked)",
    proPlan: "Pro (no watermark)", ledger: "Credit history", save: "Save", saved: "Saved", kind: "Type", amount: "Amount",
    note: "Note", when: "When", users: "Users", search: "Search by email", grant: "Grant", setPlan: "Plan", providers: "Providers",
    allGenerations: "All generations", role: "Role", error: "Something went wrong: {m}", loading: "Loading…",
    uploadFailed: "Upload failed: {m}", notEnoughCredits: "Not enough credits: {m}", dropHere: "Drop images to attach",
    remove: "Remove", you: "You", assistant: "Routix", template: "Template", status: "Status", prompt: "Prompt",
    k_grant: "Credits added", k_reserve: "Reserved", k_settle: "Charged", k_refund: "Refunded", templatesCount: "{n} templates",
    configured: "configured", notConfigured: "not configured", circuit: "circuit {s}",
  },
  fa: {
    brand: "روتیکس", tagline: "تامبنیل را توصیف کنید؛ در چند ثانیه تحویل بگیرید.",
    chat: "گفتگو", gallery: "گالری", templates: "قالب‌ها", account: "حساب", admin: "مدیریت",
    signIn: "ورود", signUp: "ساخت حساب", signOut: "خروج", email: "ایمیل", password: "رمز عبور",
    displayName: "نام نمایشی", haveAccount: "حساب دارید؟ وارد شوید", noAccount: "تازه‌وارد هستید؟ حساب بسازید",
    language: "زبان", newChat: "گفتگوی تازه", conversations: "گفتگوها", noConversations: "هنوز گفتگویی ندارید. شروع کنید!",
    emptyChat: "ویدیوی خود را توصیف کنید: «تامبنیل گیمینگ با رنگ‌های قرمز و مشکی، متن: فصل جدید». اگر عکس مرجع دارید، آن را بکشید یا بچسبانید.",
    message: "پیام", send: "ارسال", generate: "ساخت تامبنیل", attach: "افزودن تصویر", algorithm: "کیفیت",
    basic: "پایه · {n} اعتبار", premium: "ویژه · {n} اعتبار", pro: "حرفه‌ای · {n} اعتبار",
    typing: "در حال نوشتن…", connected: "زنده", connecting: "در حال اتصال…", reconnecting: "اتصال دوباره (تلاش {n} از ۵)…",
    offline: "قطع", reconnect: "اتصال دوباره", suggestions: "قالب‌های پیشنهادی", useTemplate: "استفاده از {name}",
    stage1: "تحلیل درخواست", stage2: "انتخاب قالب", stage3: "ساخت تصویر", stage4: "چیدمان متن", stage5: "بهینه‌سازی و ذخیره",
    queued: "در صف", processing: "در حال ساخت", completed: "آماده", failed: "ناموفق", cancelled: "لغو شد",
    cancel: "لغو", download: "دانلود {f}", delete: "حذف", confirmDelete: "این تامبنیل حذف شود؟",
    engine: "ساخته‌شده با {e}", fellBack: "جایگزین: {r}", emptyGallery: "هنوز تامبنیلی ندارید — در گفتگو یکی بسازید.",
    allStatuses: "همه وضعیت‌ها", allAlgorithms: "همه کیفیت‌ها", loadMore: "بیشتر", allCategories: "همه دسته‌ها",
    startChat: "شروع گفتگو با این قالب", balance: "موجودی", credits: "{n} اعتبار", plan: "اشتراک", free: "رایگان (با واترمارک)",
    proPlan: "حرفه‌ای (بدون واترمارک)", ledger: "تاریخچه اعتبار", save: "ذخیره", saved: "ذخیره شد", kind: "نوع", amount: "مقدار",
    note: "توضیح", when: "زمان", users: "کاربران", search: "جستجو با ایمیل", grant: "افزودن", setPlan: "اشتراک", providers: "سرویس‌دهنده‌ها",
    allGenerations: "همه ساخته‌ها", role: "نقش", error: "خطایی رخ داد: {m}", loading: "در حال بارگذاری…",
    uploadFailed: "بارگذاری ناموفق: {m}", notEnoughCredits: "اعتبار کافی نیست: {m}", dropHere: "تصویر را اینجا رها کنید",
    remove: "حذف", you: "شما", assistant: "روتیکس", template: "قالب", status: "وضعیت", prompt: "درخواست",
    k_grant: "افزایش اعتبار", k_reserve: "رزرو", k_settle: "کسر نهایی", k_refund: "بازگشت", templatesCount: "{n} قالب",
    configured: "پیکربندی شده", notConfigured: "پیکربندی نشده", circuit: "مدار {s}",
  },
};

let lang = "en";

export function setLang(next) {
  lang = STRINGS[next] ? next : "en";
  document.documentElement.lang = lang;
  document.documentElement.dir = lang === "fa" ? "rtl" : "ltr";
  try { localStorage.setItem("routix.lang", lang); } catch (_) { /* private mode */ }
}

export function getLang() { return lang; }

/// The account's language, else the saved choice, else the browser's.
export function initialLang(accountLocale) {
  if (accountLocale && STRINGS[accountLocale]) return accountLocale;
  try {
    const saved = localStorage.getItem("routix.lang");
    if (saved && STRINGS[saved]) return saved;
  } catch (_) { /* ignore */ }
  return (navigator.languages || [navigator.language || "en"]).some((l) => l.toLowerCase().startsWith("fa")) ? "fa" : "en";
}

export function t(key, vars = {}) {
  const s = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));
}
