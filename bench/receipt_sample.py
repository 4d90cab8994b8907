"""Write docs/receipt-sample.png and time receipts: .venv/bin/python bench/receipt_sample.py"""

import statistics
import time
from dataclasses import replace
from pathlib import Path

from bot.services.receipts import ReceiptData, render_receipt

SAMPLE = ReceiptData(
    operator_name="SenPay",
    title="Reçu de paiement",
    lines=[
        ("Service", "Woyofal"),
        ("Compteur", "07061270877"),
        ("Titulaire", "Moussa DIOP"),
        ("Montant", "5 000 FCFA"),
        ("Frais", "50 FCFA"),
        ("Total", "5 050 FCFA"),
        ("Date", "28/11/2026 14:05"),
        ("Transaction", "TID123456789"),
    ],
    codes=["1283 9300 9320 9223"],
    codes_title="Code(s) à taper dans l'ordre",
    qr_payload="TID123456789",
    footer="Merci de votre confiance",
)

THREE_STS_CODES = replace(
    SAMPLE,
    lines=[*SAMPLE.lines, ("Adresse", "Cité Keur Gorgui, Villa n° 12, Dakar — Sénégal")],
    codes=["1283 9300 9320 9223 1234", "5678 9012 3456 7890 1234", "0000 1111 2222 3333 4444"],
)


def timings_ms(data: ReceiptData, runs: int = 50) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        render_receipt(data)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    start = time.perf_counter()
    png = render_receipt(SAMPLE)
    cold = (time.perf_counter() - start) * 1000
    out = Path(__file__).resolve().parents[1] / "docs" / "receipt-sample.png"
    out.write_bytes(png)
    print(f"wrote {out} ({len(png)} bytes); first receipt, fonts loading: {cold:.1f} ms")
    for name, data in (("sample", SAMPLE), ("3 STS codes", THREE_STS_CODES)):
        samples = timings_ms(data)
        p95 = statistics.quantiles(samples, n=20)[-1]
        print(f"{name}: median {statistics.median(samples):.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
