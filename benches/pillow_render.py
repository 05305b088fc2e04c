"""The same picture as `cargo bench -p routix-render --bench render` (template
gaming-split-hero), composed with Pillow: 1280x720 diagonal gradient, stripes, a slanted image
slot with a radial fill and soft bokeh lights, the accent slant, film grain, a stroked and
shadowed two-line headline in Bebas Neue Bold, an accent bar, JPEG quality 85. Prints the median
time over N runs."""

import io
import math
import statistics
import sys
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONT = ROOT / "crates/routix-render/fonts/BebasNeue-Bold.otf"
W, H = 1280, 720
PRIMARY, SECONDARY, ACCENT = (0x7B, 0x2F, 0xF7), (0x0B, 0x0B, 0x1A), (0xFF, 0xD6, 0x00)


def gradient():
    # Diagonal gradient at 120 degrees from secondary to primary, built with Pillow's C
    # primitives (a rotated linear-gradient mask), not a Python pixel loop.
    mask = Image.linear_gradient("L").rotate(-90 - 120, expand=True, resample=Image.BILINEAR)
    side = int(math.hypot(W, H)) + 2
    mask = mask.resize((side, side), Image.BILINEAR)
    left, top = (side - W) // 2, (side - H) // 2
    mask = mask.crop((left, top, left + W, top + H))
    return Image.composite(Image.new("RGB", (W, H), PRIMARY), Image.new("RGB", (W, H), SECONDARY), mask)


def compose(font):
    img = gradient()
    over = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    d = ImageDraw.Draw(over)
    for x in range(-H, W, 46):
        d.polygon([(x, H), (x + H, 0), (x + H + 16, 0), (x + 16, H)], fill=ACCENT + (18,))
    img = Image.alpha_composite(img.convert("RGBA"), over)
    # The image slot (slanted) with a radial fill and bokeh lights.
    slot = Image.new("L", (W, H), 0)
    ImageDraw.Draw(slot).polygon([(600 + 170, 0), (W, 0), (W - 170, H), (600, H)], fill=255)
    radial = Image.radial_gradient("L").resize((700, 700))
    glow = Image.new("RGBA", (W, H), SECONDARY + (255,))
    glow.paste(Image.new("RGBA", (700, 700), ACCENT + (255,)), (650, 0), Image.eval(radial, lambda v: 255 - v))
    lights = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    ld = ImageDraw.Draw(lights)
    for i in range(18):
        r = 20 + (i * 37) % 90
        x, y = 620 + (i * 211) % 640, (i * 137) % 720
        ld.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, 40))
    glow = Image.alpha_composite(glow, lights)
    img.paste(glow, (0, 0), slot)
    d = ImageDraw.Draw(img)
    d.polygon([(560 + 180, 0), (650 + 180, 0), (650, H), (560, H)], fill=ACCENT + (255,))
    # Film grain at 5%.
    noise = Image.effect_noise((W, H), 40).convert("RGBA")
    img = Image.blend(img, noise, 0.05)
    d = ImageDraw.Draw(img)
    lines = ["NEW SEASON", "IS HERE"]
    y = 180
    for line in lines:
        d.text((56 + 8, y + 10), line, font=font, fill=(0, 0, 0, 140), stroke_width=10, stroke_fill=(0, 0, 0, 140))
        d.text((56, y), line, font=font, fill=(255, 255, 255), stroke_width=10, stroke_fill=(0, 0, 0))
        y += 170
    d.rectangle((60, 600, 280, 616), fill=ACCENT)
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    font = ImageFont.truetype(str(FONT), 160)
    times = []
    size = 0
    for _ in range(runs + 2):
        start = time.perf_counter()
        size = len(compose(font))
        times.append(time.perf_counter() - start)
    times = sorted(times[2:])
    print("pillow: gaming-split-hero look (gradient, stripes, bokeh slot, slant, grain, stroked/shadowed headline) + JPEG 85, 1280x720")
    print(f"median {statistics.median(times) * 1e3:.1f} ms over {runs} runs (min {times[0] * 1e3:.1f} ms), {size // 1024} KiB")


if __name__ == "__main__":
    main()
