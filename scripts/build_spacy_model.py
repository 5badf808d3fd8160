"""Build the project's spaCy pipeline and save it to disk for Rasa's SpacyNLP.

No spaCy 3.4 English model can be downloaded here, so the pipeline is built from parts that install
from the package registry: blank English tokenisation, the lookup lemmatiser (tables from
``spacy-lookups-data``) and an entity ruler whose CAUSE patterns are generated from the knowledge
base (each pattern's id is the KB cause id).

    python scripts/build_spacy_model.py [OUTPUT_DIR]     # default: build/spacy_en_neck
"""

from __future__ import annotations

import pathlib
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_OUTPUT = ROOT / "build" / "spacy_en_neck"


def build(output: pathlib.Path = DEFAULT_OUTPUT) -> pathlib.Path:
    import spacy

    from core.kb_loader import load

    kb = load()
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads the lemma tables; it would also empty an entity ruler, so that comes after
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    patterns = []
    for cause in kb.causes:
        for name in {cause.name.lower(), *(a.lower() for a in cause.aliases)}:
            patterns.append({"label": "CAUSE", "pattern": name, "id": cause.id})
    ruler.add_patterns(patterns)  # type: ignore[attr-defined]
    nlp.meta.update(
        {
            "name": "en_neck",
            "version": "1.0.0",
            "description": "Blank English + lookup lemmatiser + KB cause ruler (neck-spasm assistant)",
        }
    )
    tmp = output.with_name(output.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    nlp.to_disk(tmp)
    shutil.rmtree(output, ignore_errors=True)
    tmp.rename(output)
    return output


def main() -> int:
    output = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    output.parent.mkdir(parents=True, exist_ok=True)
    path = build(output)
    print(f"saved spaCy pipeline to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
