"""Tiny random-weight models saved to folders, for the neural engine tests and evals/gpu_smoke.py.

Every builder writes a folder that the product loads with the same ``from_pretrained(path)`` call it
uses for real weights, so the tests exercise the real loading path. Models are seeded, small (a few
MB each except SAM 2) and produce meaningless but well-shaped outputs.

``install_torchvision_cpu_shim()`` belongs to the test environment only: this machine's torchvision
build needs CUDA for its compiled ops, and transformers / sam2 import torchvision.
"""

from __future__ import annotations

import json
from pathlib import Path

# Words the tiny tokenizers know, so prompts and queries do not collapse to the unknown token.
WORDS = (
    "a", "an", "the", "photo", "of", "red", "green", "blue", "yellow", "black", "white", "orange", "purple",
    "circle", "square", "triangle", "star", "object", "cat", "dog", "car", "tree", "ball", "hat", "house",
    "background", "empty", "clean", "and", "with",
)
SAM2_CONFIG = "configs/sam2.1/sam2.1_hiera_t.yaml"


def install_torchvision_cpu_shim() -> None:
    """Declare torchvision's two C++ op schemas so ``import torchvision`` works without its CUDA ops.

    Must run before torchvision is first imported. Only ``torchvision.ops`` stays unusable; the
    transforms (all SAM 2 and the image processors need) work. Safe to call twice.
    """
    import sys

    if "torchvision" in sys.modules:
        return
    import torch

    for op in ("nms", "qnms"):
        try:
            torch.library.define(f"torchvision::{op}", "(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        except RuntimeError:  # already defined (a real build, or a second call)
            pass


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2/CLIP's reversible byte → printable-character table."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs), strict=True))


def _bpe_files(folder: Path) -> tuple[dict[str, int], list[str]]:
    """A CLIP-style byte-level BPE vocabulary: every single character plus whole words from WORDS."""
    chars = list(_bytes_to_unicode().values())
    vocab: dict[str, int] = {}
    # Specials after the characters: OWL treats a query whose first id is 0 as padding.
    for token in [*chars, *(c + "</w>" for c in chars), "<|startoftext|>", "<|endoftext|>"]:
        vocab.setdefault(token, len(vocab))
    merges: list[str] = []
    for word in WORDS:
        pieces = list(word[:-1]) + [word[-1] + "</w>"]
        while len(pieces) > 1:
            merged = pieces[0] + pieces[1]
            rule = f"{pieces[0]} {pieces[1]}"
            if rule not in merges:
                merges.append(rule)
            vocab.setdefault(merged, len(vocab))
            pieces = [merged, *pieces[2:]]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n")
    return vocab, merges


def tiny_clip_tokenizer(folder: Path):
    from transformers import CLIPTokenizer

    vocab, _ = _bpe_files(folder)
    tokenizer = CLIPTokenizer.from_pretrained(str(folder), model_max_length=77)
    return tokenizer, len(vocab)


def _special_ids() -> dict[str, int]:
    chars = len(_bytes_to_unicode())
    return dict(bos_token_id=2 * chars, eos_token_id=2 * chars + 1, pad_token_id=2 * chars + 1)


def _sd_components(folder: Path, in_channels: int, seed: int, width: int = 32):
    import torch
    from diffusers import AutoencoderKL, DDIMScheduler, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(seed)
    tokenizer, vocab_size = tiny_clip_tokenizer(folder / "_tok")
    unet = UNet2DConditionModel(
        block_out_channels=(width, 2 * width), layers_per_block=1, sample_size=32, in_channels=in_channels,
        out_channels=4, down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"), cross_attention_dim=32,
        attention_head_dim=8, norm_num_groups=16,
    )
    vae = AutoencoderKL(
        block_out_channels=(32, 64), in_channels=3, out_channels=3, latent_channels=4,
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"), norm_num_groups=16, sample_size=64,
    )
    text_encoder = CLIPTextModel(CLIPTextConfig(
        **_special_ids(), hidden_size=32, intermediate_size=37,
        num_attention_heads=4, num_hidden_layers=2, vocab_size=vocab_size, max_position_embeddings=77,
    ))
    scheduler = DDIMScheduler(
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", clip_sample=False,
        set_alpha_to_one=False, steps_offset=1,
    )
    return dict(unet=unet, vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, scheduler=scheduler,
                safety_checker=None, feature_extractor=None, requires_safety_checker=False)


def build_tiny_sd_inpaint(folder: str | Path, seed: int = 0, width: int = 32) -> Path:
    """A Stable-Diffusion inpainting pipeline (9-channel UNet of ``width``/``2 * width`` channels),
    native size 64 px. The default is a few MB; the scale benchmark builds wider ones for their size."""
    from diffusers import StableDiffusionInpaintPipeline

    folder = Path(folder)
    StableDiffusionInpaintPipeline(**_sd_components(folder, 9, seed, width)).save_pretrained(str(folder))
    return folder


def build_tiny_sd_text2img(folder: str | Path, seed: int = 1) -> Path:
    """A Stable-Diffusion text-to-image pipeline (4-channel UNet), native size 64 px."""
    from diffusers import StableDiffusionPipeline

    folder = Path(folder)
    StableDiffusionPipeline(**_sd_components(folder, 4, seed)).save_pretrained(str(folder))
    return folder


def build_tiny_sd_upscaler(folder: str | Path, seed: int = 6) -> Path:
    """A Stable-Diffusion x4 upscaler (7-channel UNet with noise-level class embeddings, a 3-block VAE
    that scales by 4), as in diffusers' own upscaler tests."""
    import torch
    from diffusers import (
        AutoencoderKL,
        DDIMScheduler,
        DDPMScheduler,
        StableDiffusionUpscalePipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel

    folder = Path(folder)
    torch.manual_seed(seed)
    tokenizer, vocab_size = tiny_clip_tokenizer(folder / "_tok")
    unet = UNet2DConditionModel(
        block_out_channels=(32, 32, 64), layers_per_block=1, sample_size=32, in_channels=7, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"), cross_attention_dim=32,
        attention_head_dim=8, use_linear_projection=True, only_cross_attention=(True, True, False),
        num_class_embeds=100, norm_num_groups=16,
    )
    vae = AutoencoderKL(
        block_out_channels=(32, 32, 64), in_channels=3, out_channels=3, latent_channels=4,
        down_block_types=("DownEncoderBlock2D",) * 3, up_block_types=("UpDecoderBlock2D",) * 3,
        norm_num_groups=16, scaling_factor=0.08333,  # the x4 upscaler's own latent scale
    )
    text_encoder = CLIPTextModel(CLIPTextConfig(
        **_special_ids(), hidden_size=32, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2,
        vocab_size=vocab_size, max_position_embeddings=77,
    ))
    pipe = StableDiffusionUpscalePipeline(
        vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, low_res_scheduler=DDPMScheduler(),
        scheduler=DDIMScheduler(prediction_type="v_prediction"), max_noise_level=350,
    )
    pipe.save_pretrained(str(folder))
    return folder


def _text_config(vocab_size: int) -> dict:
    return dict(hidden_size=32, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2,
                vocab_size=vocab_size, max_position_embeddings=77, **_special_ids())


def build_tiny_clip(folder: str | Path, seed: int = 2) -> Path:
    """CLIPModel + CLIPProcessor (32-px images)."""
    import torch
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor

    folder = Path(folder)
    torch.manual_seed(seed)
    tokenizer, vocab_size = tiny_clip_tokenizer(folder / "_tok")
    config = CLIPConfig(
        text_config=_text_config(vocab_size),
        vision_config=dict(hidden_size=32, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2,
                           image_size=32, patch_size=8),
        projection_dim=32,
    )
    CLIPModel(config).save_pretrained(str(folder))
    image_processor = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    CLIPProcessor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(str(folder))
    return folder


def build_tiny_owlv2(folder: str | Path, seed: int = 3) -> Path:
    """Owlv2ForObjectDetection + Owlv2Processor (64-px images, 8-px patches)."""
    import torch
    from transformers import Owlv2Config, Owlv2ForObjectDetection, Owlv2ImageProcessor, Owlv2Processor

    folder = Path(folder)
    torch.manual_seed(seed)
    tokenizer, vocab_size = tiny_clip_tokenizer(folder / "_tok")
    config = Owlv2Config(
        text_config=_text_config(vocab_size),
        vision_config=dict(hidden_size=32, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2,
                           image_size=64, patch_size=8),
        projection_dim=32,  # must equal the text hidden size
    )
    Owlv2ForObjectDetection(config).save_pretrained(str(folder))
    processor = Owlv2Processor(image_processor=Owlv2ImageProcessor(size={"height": 64, "width": 64}),
                               tokenizer=tokenizer)
    processor.save_pretrained(str(folder))
    return folder


def build_tiny_grounding_dino(folder: str | Path, seed: int = 4) -> Path:
    """GroundingDinoForObjectDetection + GroundingDinoProcessor (128-px images, BERT-style tokenizer)."""
    import torch
    from transformers import (
        BertConfig,
        BertTokenizer,
        GroundingDinoConfig,
        GroundingDinoForObjectDetection,
        GroundingDinoImageProcessor,
        GroundingDinoProcessor,
        SwinConfig,
    )

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", *WORDS]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n")
    tokenizer = BertTokenizer(vocab_file=str(folder / "vocab.txt"))
    backbone = SwinConfig(image_size=128, patch_size=4, embed_dim=16, depths=[1, 1, 1, 1], num_heads=[1, 1, 2, 2],
                          window_size=4, out_features=["stage2", "stage3", "stage4"])
    text = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                      intermediate_size=37, max_position_embeddings=64)
    config = GroundingDinoConfig(
        backbone_config=backbone, text_config=text, d_model=32, encoder_layers=1, decoder_layers=2,
        encoder_ffn_dim=32, decoder_ffn_dim=32, encoder_attention_heads=2, decoder_attention_heads=2,
        num_queries=20, num_feature_levels=3, max_text_len=32,
    )
    GroundingDinoForObjectDetection(config).save_pretrained(str(folder))
    image_processor = GroundingDinoImageProcessor(size={"shortest_edge": 128, "longest_edge": 128})
    GroundingDinoProcessor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(str(folder))
    return folder


def build_tiny_sam2(folder: str | Path, seed: int = 5, image_size: int = 256) -> Path:
    """SAM 2.1 tiny (random weights) at a reduced input size: ``sam2.json`` + ``model.pt``.

    The folder layout is the one Sam2Segmenter reads for local weights: the bundled config's name,
    the input size, and a checkpoint in sam2's own format (``{"model": state_dict}``).
    """
    import torch
    from sam2.build_sam import build_sam2

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    model = build_sam2(SAM2_CONFIG, ckpt_path=None, device="cpu",
                       hydra_overrides_extra=[f"++model.image_size={image_size}"])
    torch.save({"model": model.state_dict()}, folder / "model.pt")
    (folder / "sam2.json").write_text(json.dumps({"config": SAM2_CONFIG, "image_size": image_size,
                                                  "checkpoint": "model.pt"}))
    return folder


def build_all(root: str | Path, *, grounding_dino: bool = True) -> dict[str, Path]:
    """Every tiny model under ``root``; returns {name: folder}."""
    root = Path(root)
    folders = {
        "inpaint": build_tiny_sd_inpaint(root / "sd-inpaint"),
        "text2img": build_tiny_sd_text2img(root / "sd-text2img"),
        "clip": build_tiny_clip(root / "clip"),
        "owlv2": build_tiny_owlv2(root / "owlv2"),
        "sam2": build_tiny_sam2(root / "sam2"),
    }
    if grounding_dino:
        folders["grounding_dino"] = build_tiny_grounding_dino(root / "grounding-dino")
    return folders
