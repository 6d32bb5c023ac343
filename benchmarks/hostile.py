"""Time and peak memory of `intake check --json` on each crafted attack.

    python benchmarks/hostile.py          # writes benchmarks/results/hostile.json

The attacks come from `fixtures/hostile.py` (generated in memory, written to a temporary
folder) and the hostile fixtures of `fixtures/submissions/`. Each runs as an operator
would run it: one interpreter per file, 1 GiB address-space limit, wall time and the
child's peak RSS. The worst case is the largest of either.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import run_check  # noqa: E402
from fixtures import hostile  # noqa: E402

SUBMISSIONS = ROOT / "fixtures" / "submissions"


def attacks() -> dict[str, bytes]:
    return {
        "mimetype-bom-1gb.ods": hostile.mimetype_bomb(1_000_000_000),
        "onderdeel-bom-1gb.xlsx": hostile.workbook_with_bomb_part(1_000_000_000),
        "liegende-bom-200mb.xlsx": hostile.lying_bomb(200_000_000),
        "sharedstrings-open-2000.xlsx": hostile.unclosed_shared_strings(2_000),
        "sharedstrings-open-200000.xlsx": hostile.unclosed_shared_strings(200_000),
        "rijen-open-200000.xlsx": hostile.unclosed_rows(200_000),
        "word-tekst-open.docx": hostile.docx_unclosed_text(120),
        "word-tekst-open-200000.docx": hostile.docx_unclosed_text(200_000),
        "commentaar-cel.xlsx": hostile.hidden_in_comment("1. Algemene gegevens", "C4", "X"),
        "zip-in-zip-diep.zip": hostile.nested_zip(6, [("model.xlsx", hostile.valid())]),
        "lonen-1e308.xlsx": hostile.with_cell_value("2. Personeel", "E9", "1e308"),
    }


def main() -> None:
    results = []
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for name, data in attacks().items():
            path = Path(folder) / name
            path.write_bytes(data)
            paths.append(path)
        paths += [
            SUBMISSIONS / n for n in ("zip-bom.xlsx", "entiteiten-bom.xlsx", "reuzenblad.xlsx")
        ]
        for path in paths:
            result = run_check(path)
            verdict = json.loads(str(result.get("stdout") or "[]") or "[]")
            codes = [f["code"] for f in verdict[0]["findings"]] if verdict else []
            results.append(
                {
                    "file": path.name,
                    "bytes": path.stat().st_size,
                    "seconds": round(float(result["seconds"]), 2),
                    "peak_rss_mib": result.get("peak_rss_mib"),
                    "codes": codes,
                    "traceback": "Traceback" in str(result.get("stderr", "")),
                }
            )
            print(
                f"{results[-1]['seconds']:6.2f} s {results[-1]['peak_rss_mib']:>7} MiB "
                f"{path.stat().st_size:>10} B  {path.name}: {' '.join(codes)}"
            )
    out = ROOT / "benchmarks" / "results" / "hostile.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
