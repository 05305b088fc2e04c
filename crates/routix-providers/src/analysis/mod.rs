//! LLM analysis: the prompt (and reference images) in, a validated `Analysis` out.

pub mod gemini;
pub mod openai;
pub mod schema;
pub mod vision;

use crate::ProviderError;

/// What a model is asked for: its instruction and the JSON shape of the answer (in
/// OpenAI's JSON-schema dialect and in Gemini's OpenAPI subset).
pub struct Task {
    /// Names the answer format in OpenAI's `json_schema`.
    pub name: &'static str,
    pub instruction: &'static str,
    pub schema: fn() -> serde_json::Value,
    pub gemini_schema: fn() -> serde_json::Value,
}

/// Understanding a thumbnail request.
pub const ANALYSIS: Task = Task {
    name: "thumbnail_analysis",
    instruction: SYSTEM_PROMPT,
    schema: schema::schema,
    gemini_schema: schema::gemini_schema,
};

/// Sends a request and reads a JSON body, mapping transport and HTTP errors to types.
pub(crate) async fn send(
    provider: &'static str,
    request: reqwest::RequestBuilder,
) -> Result<serde_json::Value, ProviderError> {
    let response = request.send().await.map_err(|e| transport(provider, &e))?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.text().await.map_err(|e| transport(provider, &e))?;
    if !status.is_success() {
        return Err(crate::error::classify(
            provider,
            status.as_u16(),
            &headers,
            &body,
        ));
    }
    serde_json::from_str(&body).map_err(|e| ProviderError::Malformed {
        provider,
        message: format!("not JSON: {e}"),
    })
}

pub(crate) fn transport(provider: &'static str, e: &reqwest::Error) -> ProviderError {
    if e.is_timeout() {
        ProviderError::Timeout { provider }
    } else {
        // Without the URL: it may carry a key in a query string on some servers.
        ProviderError::Network {
            provider,
            message: e.without_url_message(),
        }
    }
}

trait WithoutUrl {
    fn without_url_message(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_message(&self) -> String {
        let mut s = if self.is_connect() {
            "connection failed".to_string()
        } else if self.is_body() || self.is_decode() {
            "broken response body".to_string()
        } else {
            "request failed".to_string()
        };
        if let Some(status) = self.status() {
            s.push_str(&format!(" (HTTP {status})"));
        }
        s
    }
}

/// The instruction every analysis model gets.
pub const SYSTEM_PROMPT: &str = "You analyse requests for YouTube thumbnails. The user writes in English or Persian, \
either describing the thumbnail they want or pasting their video title. Answer only with JSON matching the schema: \
the video's category, the colours they asked for (name in English and #rrggbb; none when they named none), a \
visual style, a mood, the headline to set on the thumbnail (their quoted or labelled text exactly as given, else two \
to four punchy words in the request's language that add to the title rather than repeat it, keeping numbers, \
superlatives, names and questions), up to eight keywords, the concrete things to draw (subjects: nouns such as \
\"dog\", \"laptop\", \"ramen\", in the request's language), the language code (en or fa), the text direction (ltr or rtl), your \
confidence from 0 to 1, and a one-sentence description of any reference images (null when there are none).";
