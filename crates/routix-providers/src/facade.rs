//! `Providers`: the one door the server and CLI use. Analysis tries the configured LLMs
//! (cache first) and falls back to the rules, saying why; artwork walks the algorithm's
//! provider chain and reports who made the image, or why nobody could.

use std::sync::Arc;

use image::DynamicImage;
use redis::aio::ConnectionManager;
use reqwest::Client;
use routix_core::{
    algorithms::ImageProvider, analyzer, Algorithm, Analysis, AnalysisSource, TemplateMeta,
};
use serde_json::json;

use crate::{
    analysis::{self, vision::VisionNotes},
    cache::{self, AnalysisCache},
    config::ProvidersConfig,
    images::ImageClient,
    prompt,
    resilience::Guard,
    ProviderError,
};

/// An uploaded reference image.
#[derive(Debug, Clone)]
pub struct ReferenceImage {
    pub bytes: Vec<u8>,
    pub mime: String,
}

#[derive(Debug, Clone)]
pub struct AnalysisOutcome {
    pub analysis: Analysis,
    /// Why the rules answered although an LLM is configured.
    pub fell_back: Option<String>,
}

/// Artwork a provider made.
pub struct Made {
    pub engine: String,
    pub image: DynamicImage,
    /// An earlier provider in the chain failed first.
    pub fell_back: bool,
    pub fallback_reason: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Llm {
    OpenAi,
    Gemini,
}

pub struct Providers {
    config: ProvidersConfig,
    http: Client,
    cache: AnalysisCache,
    openai: Arc<Guard>,
    gemini: Arc<Guard>,
    stability: Arc<Guard>,
    sd_webui: Arc<Guard>,
}

impl Providers {
    pub fn new(
        config: ProvidersConfig,
        redis: Option<ConnectionManager>,
        redis_prefix: &str,
    ) -> Result<Providers, ProviderError> {
        let http = Client::builder()
            .user_agent(concat!("routix/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| ProviderError::Network {
                provider: "http",
                message: e.to_string(),
            })?;
        let guard = |name| Arc::new(Guard::new(name, config.policy));
        Ok(Providers {
            cache: AnalysisCache::new(config.cache_ttl, redis, redis_prefix),
            openai: guard("openai"),
            gemini: guard("gemini"),
            stability: guard("stability"),
            sd_webui: guard("sd-webui"),
            http,
            config,
        })
    }

    /// From environment variables (see `ProvidersConfig::from_env`).
    pub fn from_env(
        get: impl Fn(&str) -> Option<String>,
        redis: Option<ConnectionManager>,
        redis_prefix: &str,
    ) -> Result<Providers, String> {
        let config = ProvidersConfig::from_env(get)?;
        Providers::new(config, redis, redis_prefix).map_err(|e| e.to_string())
    }

    fn llms(&self) -> Vec<Llm> {
        let mut out = Vec::new();
        if self.config.openai_key.is_some() {
            out.push(Llm::OpenAi);
        }
        if self.config.gemini_key.is_some() {
            out.push(Llm::Gemini);
        }
        out
    }

    /// The analysis of `prompt`: cached, else the first configured LLM that answers validly
    /// (one retry for invalid output), else the rules.
    pub async fn analyze(
        &self,
        prompt: &str,
        algorithm: Algorithm,
        images: &[ReferenceImage],
    ) -> AnalysisOutcome {
        let llms = self.llms();
        if llms.is_empty() {
            return AnalysisOutcome {
                analysis: analyzer::analyze(prompt),
                fell_back: None,
            };
        }
        // Only pro sends the reference images (vision costs more).
        let images: &[ReferenceImage] = if algorithm == Algorithm::Pro {
            images
        } else {
            &[]
        };
        let key = cache::key(
            prompt,
            images,
            if images.is_empty() { "text" } else { "vision" },
        );
        if let Some(hit) = self.cache.get(&key).await {
            metrics::counter!("analysis_cache_total", "outcome" => "hit").increment(1);
            return AnalysisOutcome {
                analysis: hit,
                fell_back: None,
            };
        }
        metrics::counter!("analysis_cache_total", "outcome" => "miss").increment(1);
        let mut reasons = Vec::new();
        for llm in llms {
            match self.analyze_with(llm, prompt, images).await {
                Ok(a) => {
                    self.cache.put(&key, &a).await;
                    return AnalysisOutcome {
                        analysis: a,
                        fell_back: None,
                    };
                }
                Err(reason) => reasons.push(reason),
            }
        }
        let reason = format!(
            "LLM analysis failed ({}); used the rules",
            reasons.join("; ")
        );
        tracing::warn!(%reason, "analysis fell back");
        AnalysisOutcome {
            analysis: analyzer::analyze(prompt),
            fell_back: Some(reason),
        }
    }

    async fn analyze_with(
        &self,
        llm: Llm,
        prompt: &str,
        images: &[ReferenceImage],
    ) -> Result<Analysis, String> {
        let mut last = String::new();
        // The model gets a second chance when its answer does not validate.
        for _ in 0..2 {
            let text = self.ask(llm, &analysis::ANALYSIS, prompt, images).await;
            let source = match llm {
                Llm::OpenAi => AnalysisSource::Openai,
                Llm::Gemini => AnalysisSource::Gemini,
            };
            match text {
                Ok(text) => match analysis::schema::validate(&text, source) {
                    Ok(mut a) => {
                        // The rules still know colour words the model may have skipped.
                        if a.colors.is_empty() {
                            a.colors = analyzer::analyze(prompt).colors;
                        }
                        return Ok(a);
                    }
                    Err(why) => {
                        metrics::counter!("provider_requests_total", "provider" => llm_name(llm), "outcome" => "invalid_output").increment(1);
                        last = format!("{}: invalid answer ({why})", llm_name(llm));
                    }
                },
                Err(e) => return Err(e.to_string()),
            }
        }
        Err(last)
    }

    /// One call to `llm` for `task`, through its guard; the model's JSON text.
    async fn ask(
        &self,
        llm: Llm,
        task: &analysis::Task,
        prompt: &str,
        images: &[ReferenceImage],
    ) -> Result<String, ProviderError> {
        let c = &self.config;
        match llm {
            Llm::OpenAi => {
                let key = c
                    .openai_key
                    .as_ref()
                    .map(|k| k.expose())
                    .unwrap_or_default();
                self.openai
                    .call(|| {
                        analysis::openai::complete(
                            task,
                            &self.http,
                            &c.openai_base,
                            key,
                            &c.openai_model,
                            prompt,
                            images,
                        )
                    })
                    .await
            }
            Llm::Gemini => {
                let key = c
                    .gemini_key
                    .as_ref()
                    .map(|k| k.expose())
                    .unwrap_or_default();
                self.gemini
                    .call(|| {
                        analysis::gemini::complete(
                            task,
                            &self.http,
                            &c.gemini_base,
                            key,
                            &c.gemini_model,
                            prompt,
                            images,
                        )
                    })
                    .await
            }
        }
    }

    /// Whether a vision model (OpenAI or Gemini) is configured to describe images.
    pub fn can_describe(&self) -> bool {
        !self.llms().is_empty()
    }

    /// A vision model's description of a thumbnail (what it shows, its mood, a face or
    /// not): the first configured model that answers validly. `None` when none is
    /// configured; `Some(Err)` says why none could.
    pub async fn describe(&self, image: &ReferenceImage) -> Option<Result<VisionNotes, String>> {
        let llms = self.llms();
        if llms.is_empty() {
            return None;
        }
        let mut reasons = Vec::new();
        for llm in llms {
            match self
                .ask(
                    llm,
                    &analysis::vision::DESCRIBE,
                    "Describe this thumbnail.",
                    std::slice::from_ref(image),
                )
                .await
            {
                Ok(text) => match analysis::vision::validate(&text) {
                    Ok(notes) => return Some(Ok(notes)),
                    Err(why) => reasons.push(format!("{}: invalid answer ({why})", llm_name(llm))),
                },
                Err(e) => reasons.push(e.to_string()),
            }
        }
        Some(Err(reasons.join("; ")))
    }

    /// The clients of `chain`, in its order, configured providers only (Stability as one
    /// client, in the API version configured).
    fn chain(&self, chain: &[ImageProvider]) -> Vec<ImageClient> {
        let c = &self.config;
        chain
            .iter()
            .filter_map(|provider| match provider {
                ImageProvider::OpenAi => c.openai_key.as_ref().map(|key| ImageClient::OpenAi {
                    base: c.openai_base.clone(),
                    key: key.clone(),
                    model: c.openai_image_model.clone(),
                }),
                ImageProvider::Gemini => c.gemini_key.as_ref().map(|key| ImageClient::Gemini {
                    base: c.gemini_base.clone(),
                    key: key.clone(),
                    model: c.gemini_image_model.clone(),
                }),
                ImageProvider::Stability => c.stability_key.as_ref().map(|key| {
                    if c.stability_api == "v2" {
                        ImageClient::StabilityV2 {
                            base: c.stability_base.clone(),
                            key: key.clone(),
                        }
                    } else {
                        ImageClient::StabilityV1 {
                            base: c.stability_base.clone(),
                            key: key.clone(),
                        }
                    }
                }),
                ImageProvider::SdWebUi => c
                    .sd_webui_url
                    .as_ref()
                    .map(|url| ImageClient::SdWebUi { url: url.clone() }),
            })
            .collect()
    }

    fn guard(&self, provider: &str) -> &Guard {
        match provider {
            "openai" => &self.openai,
            "gemini" => &self.gemini,
            "stability" => &self.stability,
            _ => &self.sd_webui,
        }
    }

    /// Artwork from the first provider of `chain` (the algorithm's, as admins set it) that
    /// delivers a readable image. `Err` says why none did (including "not configured"), for
    /// the compositor to record.
    pub async fn artwork(
        &self,
        algorithm: Algorithm,
        chain: &[ImageProvider],
        analysis: &Analysis,
        template: &TemplateMeta,
        style: Option<&image::DynamicImage>,
    ) -> Result<Made, String> {
        let clients = self.chain(chain);
        if clients.is_empty() {
            let settings: Vec<&str> = chain.iter().map(|p| p.setting()).collect();
            return Err(if settings.is_empty() {
                format!("{algorithm} names no image provider; made by the offline compositor")
            } else {
                format!(
                    "image providers not configured for {algorithm} (set {}); made by the offline compositor",
                    settings.join(" or ")
                )
            });
        }
        // The style reference at the size the image APIs take (1344x768, PNG), made once.
        let style = style.and_then(|img| {
            let fitted = img.resize_to_fill(1344, 768, image::imageops::FilterType::Triangle);
            let mut png = std::io::Cursor::new(Vec::new());
            fitted
                .write_to(&mut png, image::ImageFormat::Png)
                .ok()
                .map(|_| std::sync::Arc::new(png.into_inner()))
        });
        let mut failures: Vec<String> = Vec::new();
        for client in clients {
            let mut p = prompt::build(
                algorithm,
                analysis,
                template,
                prompt::limit_for(client.provider()),
            );
            p.style_reference = style.clone();
            let result = self
                .guard(client.provider())
                .call(|| client.generate(&self.http, &p))
                .await
                .and_then(|bytes| {
                    image::load_from_memory(&bytes).map_err(|e| ProviderError::Malformed {
                        provider: client.provider(),
                        message: format!("not an image: {e}"),
                    })
                });
            match result {
                Ok(image) => {
                    let fell_back = !failures.is_empty();
                    return Ok(Made {
                        engine: client.engine(),
                        image,
                        fell_back,
                        fallback_reason: fell_back.then(|| failures.join("; ")),
                    });
                }
                Err(e) => failures.push(e.to_string()),
            }
        }
        Err(failures.join("; "))
    }

    /// `source` changed as the creator's `instruction` says ("make the background red"), by
    /// the first client of `chain` that edits images and delivers a readable one. `Err` says
    /// why none did, including "none configured edits".
    pub async fn edit(
        &self,
        chain: &[ImageProvider],
        source: &image::DynamicImage,
        instruction: &str,
    ) -> Result<Made, String> {
        let clients: Vec<ImageClient> = self
            .chain(chain)
            .into_iter()
            .filter(ImageClient::can_edit)
            .collect();
        if clients.is_empty() {
            return Err("no image model that edits is configured for this chain (set OPENAI_API_KEY with a gpt-image model, or GEMINI_API_KEY); made by the offline compositor".into());
        }
        // The source at the size the edit APIs answer in (1536x1024, PNG), made once.
        let fitted = source.resize_to_fill(1536, 1024, image::imageops::FilterType::Triangle);
        let mut png = std::io::Cursor::new(Vec::new());
        fitted
            .write_to(&mut png, image::ImageFormat::Png)
            .map_err(|e| format!("could not encode the thumbnail to edit: {e}"))?;
        let png = png.into_inner();
        let mut failures: Vec<String> = Vec::new();
        for client in clients {
            let result = self
                .guard(client.provider())
                .call(|| client.edit(&self.http, &png, instruction))
                .await
                .and_then(|bytes| {
                    image::load_from_memory(&bytes).map_err(|e| ProviderError::Malformed {
                        provider: client.provider(),
                        message: format!("not an image: {e}"),
                    })
                });
            match result {
                Ok(image) => {
                    let fell_back = !failures.is_empty();
                    return Ok(Made {
                        engine: format!("{}:edit", client.engine()),
                        image,
                        fell_back,
                        fallback_reason: fell_back.then(|| failures.join("; ")),
                    });
                }
                Err(e) => failures.push(e.to_string()),
            }
        }
        Err(failures.join("; "))
    }

    /// Configured providers and their circuit states, for the admin panel (no secrets).
    pub fn health(&self) -> serde_json::Value {
        let c = &self.config;
        let entry = |name: &str, configured: bool, guard: &Guard, detail: String| json!({"provider": name, "configured": configured, "circuit": guard.state(), "detail": detail});
        json!({
            "providers": [
                entry("openai", c.openai_key.is_some(), &self.openai, format!("{} / {} at {}", c.openai_model, c.openai_image_model, c.openai_base)),
                entry("gemini", c.gemini_key.is_some(), &self.gemini, format!("{} / {}", c.gemini_model, c.gemini_image_model)),
                entry("stability", c.stability_key.is_some(), &self.stability, format!("API {}", c.stability_api)),
                entry("sd-webui", c.sd_webui_url.is_some(), &self.sd_webui, c.sd_webui_url.clone().unwrap_or_default()),
            ],
            "analysis": if self.llms().is_empty() { "rules" } else { "llm with rules fallback" },
        })
    }
}

fn llm_name(llm: Llm) -> &'static str {
    match llm {
        Llm::OpenAi => "openai",
        Llm::Gemini => "gemini",
    }
}
