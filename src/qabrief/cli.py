"""`qabrief` command line: a thin shell over the library; every user error is one line."""

from __future__ import annotations

import argparse
import json
import re
import sys
from contextlib import contextmanager
from pathlib import Path

from . import settings
from .errors import QabriefError


def main(argv: list[str] | None = None) -> int:
    from .heap import share_one_arena

    share_one_arena()  # before any model's threads: flat resident memory (heap.py)
    parser = _build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        _check_options(args)
        return args.func(args) or 0
    except QabriefError as exc:
        print(f"qabrief: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("qabrief: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qabrief", description="Bilingual briefs of Chinese press conferences.")
    sub = parser.add_subparsers(title="commands")

    p = sub.add_parser("parse", help="split a transcript into metadata, speakers and Q&A segments")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true", help="print the structure as JSON")
    p.set_defaults(func=_cmd_parse)

    p = sub.add_parser("summarize", help="key sentences of each question and answer")
    p.add_argument("file", type=Path)
    _add_budget_options(p)
    p.add_argument("--json", action="store_true", help="print summaries as JSON (indices into `parse --json`)")
    p.set_defaults(func=_cmd_summarize)

    p = sub.add_parser("translate", help="translate Chinese text sentence by sentence (Chinese and English aligned)")
    p.add_argument("text", nargs="?", help="Chinese text (or use --file)")
    p.add_argument("--file", type=Path, help="a transcript or text file to translate")
    _add_model_options(p)
    _add_glossary_options(p)
    p.set_defaults(func=_cmd_translate)

    p = sub.add_parser("batch", help="briefs for many transcripts (files and folders), resumable")
    p.add_argument("inputs", nargs="+", type=Path)
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--format", default="md,html,json", help="comma-separated: md, html, json (default: all)")
    p.add_argument("--full-text", action="store_true", help="translate every sentence, not only the summary")
    p.add_argument("--english-mode", default="official", choices=["official", "machine", "both"],
                   help="with a transcript's official English beside it (NAME.en.txt or NAME.en.html): show it "
                        "where linked (official, default), machine English only, or both")
    _add_budget_options(p)
    _add_model_options(p)
    from .translate import FAILURES_BEFORE_FALLBACK

    p.add_argument("--fallback-after", type=_positive(int), default=FAILURES_BEFORE_FALLBACK, metavar="N",
                   help="after N documents in a row whose English failed on one path (a GPU that died), switch "
                        "to the next path the loading policy names, or write Chinese-only briefs with the "
                        "reason for the rest (default: %(default)s)")
    _add_glossary_options(p)
    ray = p.add_argument_group("engine", "where the work runs (Ray needs pip install 'qabrief[ray]')")
    ray.add_argument("--engine", default="local", choices=["local", "ray"],
                     help="local (default): this process; ray: a Ray Data pipeline with a pool of model actors")
    ray.add_argument("--address", help="Ray cluster to join (auto, ray://host:10001); default: start one here")
    ray.add_argument("--workers", type=_positive(int), help="translation actors (default: sized to the cluster)")
    ray.add_argument("--cpus-per-worker", type=_positive(float), default=1.0, metavar="F")
    ray.add_argument("--gpus-per-worker", type=_positive(float, zero=True), default=0.0, metavar="F")
    p.set_defaults(func=_cmd_batch)

    p = sub.add_parser("eval", help="score models' English against reference translations (chrF, BLEU, numbers, "
                                    "terms, speed, memory)")
    p.add_argument("--model", action="append", dest="models", metavar="MODEL",
                   help="preset, folder or hub id; repeat to compare (default: the default model)")
    p.add_argument("--backend", action="append", dest="backends", metavar="BACKEND", choices=["auto", "transformers",
                                                                                               "ct2"],
                   help="auto (default), transformers or ct2; repeat to compare")
    p.add_argument("--reference", help="a TSV of Chinese<TAB>English pairs, a bilingual JSONL, or mfa-2019-last30 "
                                       "(default: the Foreign Ministry's last 30 conferences of 2019)")
    p.add_argument("--limit", type=_positive(int), metavar="N", help="the first N pairs only (in file order)")
    p.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:N or mps")
    p.add_argument("--beams", type=int, help="beam size (default: the model's own)")
    p.add_argument("--no-comet", action="store_true", help="skip COMET even where unbabel-comet is installed")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.set_defaults(func=_cmd_eval)

    memory = sub.add_parser("memory", help="the memory of official renderings: import, stats, export, clear")
    msub = memory.add_subparsers(title="memory commands")
    p = msub.add_parser("import", help="TMX, TSV (Chinese<TAB>English), a transcript and its English "
                                        "(--english), a folder of NAME.txt + NAME.en.txt, or the bilingual JSONL")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--english", type=Path, help="the official English of the one transcript given")
    p.add_argument("--year", help="bilingual JSONL: only the conferences of this year")
    p.add_argument("--source", help="where the renderings come from (default: the file's name)")
    p.set_defaults(func=_cmd_memory_import)
    p = msub.add_parser("stats", help="how many renderings, how many served, replaced by imports, from where")
    p.set_defaults(func=_cmd_memory_stats)
    p = msub.add_parser("export", help="every rendering as TSV (Chinese, English, source, date added)")
    p.set_defaults(func=_cmd_memory_export)
    p = msub.add_parser("clear", help="forget every rendering")
    p.set_defaults(func=_cmd_memory_clear)
    memory.set_defaults(func=_cmd_memory_stats)

    models = sub.add_parser("models", help="list, download translation models")
    msub = models.add_subparsers(title="models commands")
    p = msub.add_parser("list", help="presets, licences and whether each is downloaded")
    p.set_defaults(func=_cmd_models_list)
    p = msub.add_parser("download", help="download a preset into the models folder (resumable)")
    p.add_argument("name")
    p.set_defaults(func=_cmd_models_download)
    p = msub.add_parser("convert", help="convert a downloaded model to CTranslate2 (needs qabrief[fast])")
    p.add_argument("name", help="preset name or local transformers model folder")
    p.add_argument("--quantization", default="int8", choices=["int8", "int8_float16", "float16", "float32"])
    p.set_defaults(func=_cmd_models_convert)
    models.set_defaults(func=_cmd_models_list)
    return parser


def _add_model_options(p: argparse.ArgumentParser) -> None:
    from .translate import BACKENDS, PRECISIONS

    p.add_argument("--model", help="preset name, local model folder or hub id (default: $QABRIEF_MODEL, else "
                                   "quickmt-zh-en with CTranslate2 installed, else opus-mt-zh-en); "
                                   "'none' for Chinese only")
    p.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:N or mps")
    p.add_argument("--backend", default="auto", choices=BACKENDS,
                   help="auto (default): the best path that runs here: CTranslate2 when installed and working "
                        "(converted on first use), else transformers; the reason is in the brief's header")
    p.add_argument("--precision", default="auto", choices=PRECISIONS,
                   help="auto (default): fp16 on a GPU, bf16 on a CPU with AVX-512 BF16 or AMX, else fp32 "
                        "(CTranslate2: int8); int8 on the transformers backend quantizes the linear layers "
                        "dynamically (opt-in)")
    p.add_argument("--beams", type=int, help="beam size (default: the model's own)")
    p.add_argument("--max-length", type=int, help="longest English in tokens (default: the model's own)")
    p.add_argument("--no-cache", action="store_true", help="bypass the translation cache")
    p.add_argument("--refine", metavar="MODEL",
                   help="a second, slower model (a language model: hy-mt2-1.8b-gguf on a CPU, hy-mt2-7b on a GPU) "
                        "that translates the summary sentences again; its English replaces the fast model's "
                        "unless it loses a number or term the fast English kept (official English is never refined)")


_DEVICE = re.compile(r"(?i)auto|cpu|cuda(?::[0-9]+)?|mps")


def _check_options(args) -> None:
    """What argparse cannot judge, refused in one line before any work (not a traceback later,
    nor `cuda1` silently read as the first GPU)."""
    device = getattr(args, "device", None)
    if device is not None and not _DEVICE.fullmatch(device):
        raise QabriefError(f"--device {device[:40]!r} is not a device; use auto, cpu, cuda, cuda:N (N the GPU's "
                           "number, as in cuda:0) or mps")
    for option in ("beams", "max_length"):
        value = getattr(args, option, None)
        if value is not None and value < 1:
            raise QabriefError(f"--{option.replace('_', '-')} must be a positive whole number, not {value}")


@contextmanager
def _naming(path):
    """An error about a file's content names the file (`no Chinese text found` alone does not say which)."""
    try:
        yield
    except QabriefError as exc:
        if path is None or str(path) in str(exc):
            raise
        raise QabriefError(f"{path}: {exc}") from None


def _looks_like_a_file(text: str) -> bool:
    """TEXT that is a file's name rather than Chinese to translate."""
    from .parse.script import han_count

    return han_count(text) == 0 and (Path(text).is_file() or bool(re.fullmatch(r"\S+\.[A-Za-z0-9]{1,6}", text)))


def _add_glossary_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--glossary", action="append", type=Path, default=[], metavar="FILE",
                   help="a user glossary (TSV: Chinese<TAB>English), merged over the built-in one; repeatable")
    p.add_argument("--enforce-glossary", action="store_true",
                   help="make glossary terms come out as their official renderings (placeholder masking)")


def _glossary(args):
    from .fidelity import Glossary

    return Glossary.load(*args.glossary)


def _load_translator(args, warm: bool = False):
    from .model_pool import NO_MODEL
    from .translate import load_translator

    if args.model == NO_MODEL:
        return None
    return load_translator(args.model, device=args.device, backend=args.backend, beams=args.beams,
                           max_length=args.max_length, cache=not args.no_cache, precision=args.precision, warm=warm)


def _load_refiner(args):
    """The `--refine` model, through the same loading policy (its own backend: a language model)."""
    from .refine import label
    from .translate import load_translator

    if not getattr(args, "refine", None):
        return None
    refiner = load_translator(args.refine, device=args.device, cache=not args.no_cache)
    refiner.description = label(refiner, args.refine)  # the preset's name in each brief's header and en_model
    return refiner


def _translator_factory(args):
    """How the batch loads its translator, in this process or in each Ray actor (picklable): through
    the loading policy, for a run (`load_for_run`: a dead path is left for the next one)."""
    from functools import partial

    from .model_pool import NO_MODEL
    from .translate import load_for_run

    if args.model == NO_MODEL:
        return _no_translator
    return partial(load_for_run, args.model, device=args.device, backend=args.backend, beams=args.beams,
                   max_length=args.max_length, cache=not args.no_cache, precision=args.precision, warm=True,
                   after=args.fallback_after)


def _batch_key(args) -> str | None:
    """What every document's key holds of the model, computed without loading it."""
    from .model_pool import NO_MODEL
    from .translate import plan_key

    if args.model == NO_MODEL:
        return None
    if args.engine == "ray":  # the actors load the model: a mistake of the request is told here, once
        from .translate.loading import check_request

        check_request(args.model, device=args.device, backend=args.backend)
    return plan_key(args.model, device=args.device, backend=args.backend, precision=args.precision,
                    beams=args.beams, max_length=args.max_length)


def _refiner_key(args) -> str | None:
    from .translate import plan_key

    if not getattr(args, "refine", None):
        return None
    if args.model == "none":
        raise QabriefError("--refine refines the fast model's English: it needs a --model, not none")
    return plan_key(args.refine, device=args.device)


def _no_translator():
    return None


def _add_budget_options(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("--sentences", type=int, metavar="N", help="sentences per question and per answer")
    group.add_argument("--ratio", type=float, metavar="R", help="share of each turn's sentences (0-1]")
    group.add_argument("--chars", type=int, metavar="C", help="characters per question and per answer")


def _budget(args):
    from .summarize import Budget

    try:
        return Budget(sentences=args.sentences, ratio=args.ratio, chars=args.chars)
    except ValueError as exc:
        raise QabriefError(str(exc)) from None


def _print_json(obj) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _cmd_parse(args) -> int:
    from .outline import outline
    from .parse import parse

    with _naming(args.file):
        transcript = parse(args.file)
    if args.json:
        _print_json(transcript.to_dict())
    else:
        print(outline(transcript))
    return 0


def _cmd_summarize(args) -> int:
    from .outline import describe_speaker
    from .parse import parse
    from .summarize import summarize_transcript

    budget = _budget(args)
    with _naming(args.file):
        transcript = parse(args.file)
    summaries = summarize_transcript(transcript, budget)
    if args.json:
        _print_json({"title": transcript.title, "segments": [
            _summary_dict(n, seg, summ) for n, (seg, summ) in enumerate(zip(transcript.segments, summaries), 1)
        ]})
        return 0
    for n, (seg, summ) in enumerate(zip(transcript.segments, summaries), 1):
        print(f"\n== {n}. {' · '.join(summ.keywords)}")
        if summ.question:
            print(f"  Q  {describe_speaker(seg.question.speaker)}")
            for p in summ.question.picks:
                print(f"     [{p.index}] {seg.question.sentences[p.index].text}")
        for ans in summ.answers:
            print(f"  A  {describe_speaker(ans.speaker)}")
            for p in ans.picks:
                print(f"     [{p.index}] {seg.answer[ans.turn].sentences[p.index].text}")
    return 0


def _cmd_translate(args) -> int:
    from .parse.reading import read_document
    from .parse.sentences import split_sentences

    if (args.text is None) == (args.file is None):
        raise QabriefError("give either TEXT or --file FILE")
    if args.text is not None and _looks_like_a_file(args.text):
        raise QabriefError(f"{args.text!r} looks like a file name, not Chinese text; to translate a file use "
                           f"--file {args.text}")
    with _naming(args.file):
        text = read_document(args.file).text if args.file else read_document(args.text).text
    sentences = [s.text for s in split_sentences(text)]
    translator = _load_translator(args)
    if translator is None:
        raise QabriefError("translate needs a model; see `qabrief models list`")
    from .fidelity import check_sentence
    from .fidelity.enforce import GlossaryEnforcingTranslator

    glossary = _glossary(args)
    if args.enforce_glossary:
        translator = GlossaryEnforcingTranslator(translator, glossary)
    results = translator.translate_detailed(sentences)
    refined = _refined(args, results, glossary)
    for n, t in enumerate(results, 1):
        problems = ([f"suspect: {t.reason}"] if t.suspect else []) + check_sentence(t.source, t.text, glossary).problems
        print(f"[{n}] {t.source}\n    {t.text}")
        for problem in problems:
            print(f"    ⚠ {problem}")
        if refined:
            again = refined[n - 1]
            if again.en_source == "refined":
                print(f"    refined: {again.en}")
                for problem in check_sentence(again.zh, again.en, glossary).problems:
                    print(f"    ⚠ {problem}")
            elif again.refine_note:
                print(f"    refined: not taken: {again.refine_note}")
    return 0


def _refined(args, results, glossary):
    """With --refine, each sentence again from the refining model, under the brief's rule."""
    refiner = _load_refiner(args)
    if refiner is None:
        return None
    from .brief import BriefSentence
    from .refine import refine_sentences

    sentences = [BriefSentence(i, t.source, t.text, summary=True, en_source="machine") for i, t in enumerate(results)]
    for _ in refine_sentences(sentences, refiner, glossary):
        pass
    return sentences


def _positive(kind, zero: bool = False):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = -1
        if value < 0 or (value == 0 and not zero):
            raise argparse.ArgumentTypeError(f"expected a {'non-negative' if zero else 'positive'} number, got {text}")
        return value
    return parse


def _cmd_batch(args) -> int:
    from .batch import BatchOptions, run_batch

    options = BatchOptions([f.strip() for f in args.format.split(",") if f.strip()], _budget(args),
                           full_text=args.full_text, glossary=_glossary(args), enforce_glossary=args.enforce_glossary,
                           english_mode=args.english_mode, refiner_key=_refiner_key(args))
    show_progress = settings.flag("QABRIEF_PROGRESS")  # unset: where stderr is a terminal
    if args.engine == "ray":
        if args.refine:
            raise QabriefError("--refine runs on the local engine (drop --engine ray, or refine afterwards)")
        from .batch.ray_engine import run_batch_ray

        report = run_batch_ray(args.inputs, args.out, options, _translator_factory(args), show_progress,
                               address=args.address, workers=args.workers, cpus_per_worker=args.cpus_per_worker,
                               gpus_per_worker=args.gpus_per_worker, translator_key=_batch_key(args))
    else:
        if args.address or args.workers:
            raise QabriefError("--address and --workers need --engine ray")
        key = _batch_key(args)  # a mistake of the request (unknown model) stops here, before any document
        # warm: a GPU runs the batcher's shapes once before the first document (no effect on a CPU)
        report = run_batch(args.inputs, args.out, options, _translator_factory(args)(), show_progress,
                           translator_key=key, refiner=_load_refiner(args))
    print(report.summary())
    return 130 if report.interrupted else (1 if report.failed else 0)


def _cmd_eval(args) -> int:
    from .evaluation import as_json, as_table, evaluate, load_reference

    name, pairs = load_reference(args.reference)
    pairs = pairs[:args.limit] if args.limit else pairs
    scores = [evaluate(pairs, name, model, backend, args.device, args.beams, with_comet=not args.no_comet)
              for model in (args.models or [None]) for backend in (args.backends or ["auto"])]
    if args.json:
        print(as_json(scores))
    else:
        print(as_table(scores))
    return 0 if any(s.chrf is not None for s in scores) else 2


def _memory():
    from .official import TranslationMemory, memory_enabled

    if not memory_enabled():
        raise QabriefError("the memory of official renderings is off (QABRIEF_MEMORY=off)")
    return TranslationMemory()


def _cmd_memory_import(args) -> int:
    from . import memory_import
    from .companions import english_companion, is_english_companion

    memory = _memory()
    if args.english and len(args.files) != 1:
        raise QabriefError("--english goes with exactly one Chinese transcript")
    total = new = 0
    replaced = memory.stats()["replaced"]
    for path in args.files:
        if not path.exists():
            raise QabriefError(f"no such file or folder: {path}")
        source = args.source or path.name
        if args.english:
            batches = [(source, memory_import.read_documents(path, args.english))]
        elif path.is_dir():
            batches = [(args.source or f.name, memory_import.read_documents(f, english))
                       for f in sorted(path.iterdir()) if f.is_file() and not is_english_companion(f)
                       and (english := english_companion(f))]
        elif path.suffix.lower() == ".tmx":
            batches = [(source, list(memory_import.read_tmx(path)))]
        elif path.suffix.lower() in (".jsonl", ".json"):  # one batch per conference: each its own source
            batches = [(f"{args.source or path.name} {date}", pairs)
                       for date, pairs in memory_import.read_bilingual_conferences(path, args.year)]
        else:
            batches = [(source, list(memory_import.read_tsv(path)))]
        # TMX and TSV are renderings someone chose: served at once, replacing a learned one; links
        # read off transcripts are the aligner's, served once independent documents agree
        trusted = path.is_file() and path.suffix.lower() not in (".jsonl", ".json") and not args.english
        read = sum(len(pairs) for _, pairs in batches)
        if not read:
            print(f"warning: {path.name}: {_nothing_in(path, args)}; nothing imported from it",
                  file=sys.stderr)
        total += read
        for name, pairs in batches:
            new += memory.add(pairs, name, trusted=trusted)
    stats = memory.stats()
    if total:
        replaced = stats["replaced"] - replaced
        note = f", {replaced} earlier renderings replaced (kept as history)" if replaced else ""
        print(f"{new} new renderings stored ({total} read{note}); the memory holds {stats['pairs']}")
    return 0


def _nothing_in(path: Path, args) -> str:
    """Why a file gave no renderings."""
    suffix = path.suffix.lower()
    if args.english:
        return "no sentence linked to the official English with confidence"
    if path.is_dir():
        return "no NAME.txt with its NAME.en.txt (or .en.html) beside it, or no confident link in them"
    if suffix == ".tmx":
        return 'no translation units (<tu> with <tuv xml:lang="zh"> and <tuv xml:lang="en">)'
    if suffix in (".jsonl", ".json"):
        return "no conference records" + (f" of {args.year}" if args.year else "")
    return "no 'Chinese<TAB>English' lines"


def _cmd_memory_stats(args) -> int:
    stats = _memory().stats()
    print(f"{stats['pairs']} renderings in {stats['path']}")
    print(f"  served as memory English: {stats['trusted']} imported, {stats['confirmed']} learned and confirmed by "
          f"independent documents; hints only: {stats['hints']} (learned from {stats['documents']} documents)")
    print(f"  replaced by an import: {stats['replaced']} (kept as history)")
    for source, n in list(stats["sources"].items())[:20]:
        print(f"  {n:7d}  {source}")
    if len(stats["sources"]) > 20:
        print(f"  … and {len(stats['sources']) - 20} more sources")
    return 0


def _cmd_memory_export(args) -> int:
    print("# zh\ten\tsource\tadded")
    for row in _memory().export():
        print("\t".join(str(x).replace("\t", " ").replace("\n", " ") for x in row))
    return 0


def _cmd_memory_clear(args) -> int:
    print(f"forgot {_memory().clear()} renderings")
    return 0


def _cmd_models_list(args) -> int:
    from .translate import MODELS, default_choice, models_dir
    from .translate.registry import QUANTIZATIONS, converted_folder, is_downloaded

    default, why = default_choice()
    print(f"models folder: {models_dir().resolve()}")
    print(f"default: {default} ({why})")
    print(f"  {'name':30s} {'params':>6s} {'download':>9s}  {'licence':17s} {'local':5s}  {'ct2 forms':12s} hub id")
    for spec in MODELS.values():
        ct2 = "native" if spec.weights == "ct2" else ",".join(
            q for q in QUANTIZATIONS if (converted_folder(spec.name, q) / "model.bin").is_file())
        mark = "*" if spec.name == default else " "
        print(f"{mark} {spec.name:30s} {spec.params:>6s} {spec.download_mb:>6d} MB  {spec.license:17s} "
              f"{'yes' if is_downloaded(spec.name) else 'no':5s}  {ct2 or '-':12s} {spec.hub_id}")
        print(f"  {'':30s} {spec.note}")
        if spec.restriction:
            print(f"  {'':30s} LICENCE: {spec.restriction}")
    return 0


def _cmd_models_convert(args) -> int:
    from .translate.autoconvert import convert_into
    from .translate.registry import converted_folder, models_dir

    source = Path(args.name)
    if not source.is_dir():
        source = models_dir() / args.name
    if not source.is_dir():
        raise QabriefError(f"{args.name} is not downloaded: run qabrief models download {args.name}")
    target = convert_into(source, converted_folder(source.name, args.quantization), args.quantization, replace=True)
    print(f"converted {source} into {target}")
    return 0


def _cmd_models_download(args) -> int:
    from .translate.download import download_model

    path = download_model(args.name)
    print(f"downloaded {args.name} into {path}")
    return 0


def _summary_dict(n, seg, summ) -> dict:
    from dataclasses import asdict

    def picks(turn, summary):
        return [{"index": p.index, "score": p.score, "text": turn.sentences[p.index].text} for p in summary.picks]

    return {
        "index": n,
        "keywords": summ.keywords,
        "question": None if not summ.question else {
            "speaker": asdict(seg.question.speaker), "sentences": picks(seg.question, summ.question)},
        "answers": [{"turn": a.turn, "speaker": asdict(a.speaker) if a.speaker else None,
                     "sentences": picks(seg.answer[a.turn], a)} for a in summ.answers],
    }


if __name__ == "__main__":
    sys.exit(main())
