"""Layering by folder (how we structure our dbt projects; dbt-project-evaluator's DAG rules).

models/staging/<source>/        stg_<source>__<entity>: source() only there, no other stg_
models/staging/<source>/base/   base_<source>__<entity>: sources only, read by that folder's stg_
models/intermediate/            int_<entity>_<verb>: reshaping between staging and marts
models/marts/ (any subfolder)   fct_, dim_, or a plain name analysts query: never stg_/base_/int_

No `from __future__ import annotations` here: dbt-score reads the rules' argument types.
"""

from dbt_score import Model, RuleViolation, rule

LAYERS = ("staging", "intermediate", "marts")


def folders(model: Model) -> list[str]:
    """The folders of the model's file below models/, e.g. ["staging", "order_api", "base"]."""
    parts = model.original_file_path.split("/")
    return parts[1:-1] if parts[0] == "models" else parts[:-1]


def parent_models(model: Model) -> list[str]:
    return [p.split(".")[-1] for p in model.depends_on.get("nodes", [])
            if p.startswith("model.")]


@rule
def name_matches_folder(model: Model) -> RuleViolation | None:
    """A model's name says its layer, and its folder is that layer's."""
    path = folders(model)
    layer = path[0] if path else ""
    if layer not in LAYERS:
        return RuleViolation(f"{model.original_file_path}: models live in models/staging/"
                             f"<source>/, models/intermediate/ or models/marts/.")
    if layer == "staging":
        if len(path) < 2:
            return RuleViolation("staging models live in models/staging/<source>/.")
        source = path[1]
        prefix = f"base_{source}__" if path[2:] == ["base"] else f"stg_{source}__"
        if len(path) > 3 or (len(path) == 3 and path[2] != "base"):
            return RuleViolation(f"staging folders are staging/{source}/ and "
                                 f"staging/{source}/base/ only.")
        if not model.name.startswith(prefix):
            return RuleViolation(f"a model in {'/'.join(path)}/ is named {prefix}<entity>.")
    elif layer == "intermediate" and not model.name.startswith("int_"):
        return RuleViolation("a model in intermediate/ is named int_<entity>_<verb>.")
    elif layer == "marts" and model.name.startswith(("stg_", "base_", "int_")):
        return RuleViolation("a mart is named fct_<event>, dim_<entity> or for what it "
                             "holds, not stg_/base_/int_.")
    return None


@rule
def source_only_in_staging(model: Model) -> RuleViolation | None:
    """Only staging models read source(); everything else reads ref()."""
    sources = [s for s in model.depends_on.get("nodes", []) if s.startswith("source.")]
    if sources and folders(model)[:1] != ["staging"]:
        return RuleViolation(f"reads {', '.join(sources)} outside staging: ref() the "
                             f"staging model instead.")
    return None


@rule
def staging_reads_no_staging(model: Model) -> RuleViolation | None:
    """A staging model reads sources (and a stg_ model its own base_ models), no other model."""
    if folders(model)[:1] != ["staging"]:
        return None
    allowed = ("base_",) if model.name.startswith("stg_") else ()
    read = [p for p in parent_models(model) if not p.startswith(allowed or ("\0",))]
    if read:
        return RuleViolation(f"a staging model reads {', '.join(read)}: move the "
                             f"shared part to staging/<source>/base/ or the model to "
                             f"intermediate/.")
    return None
