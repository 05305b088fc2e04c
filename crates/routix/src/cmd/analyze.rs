//! `routix analyze "<prompt>"`: what Routix understands of a request or a video title.

use routix_core::Algorithm;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A thumbnail request or a video title, in English or Persian.
    prompt: String,
    /// Print the analysis as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if args.prompt.trim().is_empty() {
        anyhow::bail!("give a prompt, e.g. routix analyze \"gaming video, red and black\"");
    }
    let providers =
        routix_providers::Providers::from_env(|k| std::env::var(k).ok(), None, "routix")
            .map_err(anyhow::Error::msg)?;
    let outcome =
        super::runtime()?.block_on(providers.analyze(&args.prompt, Algorithm::Basic, &[]));
    let a = &outcome.analysis;
    if args.json {
        println!("{}", serde_json::to_string_pretty(a)?);
        return Ok(());
    }
    println!("category    {}", a.category.as_str());
    println!("headline    {}", a.headline);
    let colours: Vec<String> = a
        .colors
        .iter()
        .map(|c| format!("{} {}", c.name, c.hex))
        .collect();
    println!(
        "colours     {}",
        if colours.is_empty() {
            "—".into()
        } else {
            colours.join(", ")
        }
    );
    println!("style       {}", a.style);
    println!("mood        {}", a.mood);
    println!(
        "subjects    {}",
        if a.subjects.is_empty() {
            "—".into()
        } else {
            a.subjects.join(", ")
        }
    );
    println!("keywords    {}", a.keywords.join(", "));
    println!(
        "language    {} ({})",
        a.language,
        if a.direction == routix_core::Direction::Rtl {
            "right to left"
        } else {
            "left to right"
        }
    );
    println!("confidence  {:.2}", a.confidence);
    println!(
        "source      {:?}{}",
        a.source,
        outcome
            .fell_back
            .map(|r| format!(" — {r}"))
            .unwrap_or_default()
    );
    Ok(())
}
