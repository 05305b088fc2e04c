//! A creator's brand kit made ready for one generation: the logo and face decoded from
//! storage (the face also cut out for the compositor), the colours and the headline face.
//! A kit that cannot be read never stops a job: the thumbnail is made without it.

use image::DynamicImage;
use routix_core::{brand::BrandFont, Analysis, Rgb};
use routix_render::brand::{face_cutout, Brand, Logo};
use routix_store::{blobs::BlobStore, Db, FileId, UserId};

/// The kit's pieces a generation can use.
#[derive(Default)]
pub struct BrandAssets {
    /// What the compositor stamps and draws (the face cut out).
    pub render: Brand,
    /// The face photo as uploaded, for image models that take a reference.
    pub face_photo: Option<DynamicImage>,
    pub colors: Vec<Rgb>,
}

impl BrandAssets {
    /// The brand's colours when the request names none.
    pub fn palette_for(&self, analysis: &Analysis) -> Option<Vec<Rgb>> {
        (analysis.colors.is_empty() && !self.colors.is_empty()).then(|| self.colors.clone())
    }

    /// The kit with its face left out (the request is not about the creator).
    pub fn without_face(mut self) -> Self {
        self.render.face = None;
        self.face_photo = None;
        self
    }
}

/// `user`'s kit, decoded; the empty kit when they have none or it cannot be read.
pub async fn load(user: UserId, db: &Db, blobs: &BlobStore) -> BrandAssets {
    let kit = match db.brand_kit(user).await {
        Ok(kit) => kit,
        Err(e) => {
            tracing::warn!(error = %e, "brand kit unreadable; made without it");
            return BrandAssets::default();
        }
    };
    let logo = picture(user, kit.logo_file_id, db, blobs).await;
    let face_photo = picture(user, kit.face_file_id, db, blobs).await;
    let face = match face_photo.clone() {
        Some(photo) => crate::cpu::run(move || face_cutout(&photo)).await.ok(),
        None => None,
    };
    BrandAssets {
        render: Brand {
            logo: logo.map(|image| Logo {
                image: image.to_rgba8(),
                corner: kit.logo_position.parse().unwrap_or_default(),
            }),
            face,
            font: kit
                .font
                .as_deref()
                .and_then(|f| f.parse::<BrandFont>().ok()),
        },
        face_photo,
        colors: kit
            .colors
            .split(',')
            .filter_map(|c| c.parse().ok())
            .collect(),
    }
}

async fn picture(
    user: UserId,
    id: Option<FileId>,
    db: &Db,
    blobs: &BlobStore,
) -> Option<DynamicImage> {
    let file = db.file(user, id?).await.ok()?;
    let bytes = match blobs.get(&file.storage_key).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!(error = %e, file = %file.id, "brand picture unreadable");
            return None;
        }
    };
    crate::cpu::run(move || image::load_from_memory(&bytes).ok())
        .await
        .ok()
        .flatten()
}
