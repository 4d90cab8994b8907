"""`python -m bot demo` driven through its stdin and stdout, like a user at a terminal would
(choices typed as numbers), as a real process: simulator, HTTP server, storage, workers."""

import asyncio
import io
import re
import sqlite3
import sys
from pathlib import Path

import zxingcpp
from PIL import Image

from fakes.process import clean_environment

# Woyofal with an immediate code, then the menu, a Senelec bill, then Woyofal on a meter
# whose code comes by callback, confirmed as the very last line: the demo must deliver that
# code before it says goodbye at end of input.
SCRIPT = [
    "1",  # ⚡ Acheter Woyofal
    "07061270877",
    "3",  # 5 000 FCFA
    "1",  # ✅ Confirmer et payer
    "2",  # 🧾 Reçu (under the result: 🔁 Racheter, 🧾 Reçu, ⭐ Enregistrer, 🏠 Menu)
    "1",  # 🏠 Menu (under the receipt)
    "2",  # 💡 Facture Senelec
    "210278816",
    "1",  # ✅ Confirmer et payer
    "3",  # 🏠 Menu (under the result: 🧾 Reçu, ⭐ Enregistrer, 🏠 Menu)
    "1",  # ⚡ Acheter Woyofal
    "123456789",
    "2500 F",
    "1",  # ✅ Confirmer et payer
]


async def run_demo(workdir: Path, lines: list[str], *options: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "demo",
        *options,
        "--callback-delay",
        "0.3",
        "--database",
        str(workdir / "demo.sqlite3"),
        cwd=workdir,
        # Codes come 0.3 s after PROCESSING here: show the "on its way" message anyway.
        env={**clean_environment(), "PROCESSING_NOTICE_SECONDS": "0"},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    script = "".join(f"{line}\n" for line in lines).encode()
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(script), timeout=40)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError("the demo did not end at end of input") from None
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


def bot_lines(text: str) -> str:
    """What the bot said, without the 🤖 marks."""
    return "\n".join(line.removeprefix("🤖 ") for line in text.splitlines())


async def test_demo_starts_at_zero_and_buys_woyofal_by_paying_the_rest(tmp_path: Path) -> None:
    """`make demo` as it comes: a stranger at 0 FCFA buys a code, paying from Wave."""
    lines = [
        "1",  # ⚡ Acheter Woyofal
        "07061270877",
        "3",  # 5 000 FCFA
        "1",  # 📲 Payer le reste (Confirm could only be refused at 0 FCFA)
        "1",  # Wave
        "770000000",  # the simulator's Wave number that approves
        "1",  # ✅ Confirmer
    ]
    code, stdout, stderr = await run_demo(tmp_path, lines)
    assert code == 0, stderr
    said = bot_lines(stdout)
    assert "Votre compte démarre à 0 FCFA" in said
    assert "Il manque 5 050 FCFA" in said
    pending = said.index("Ouvrez l'application Wave")
    funded = said.index("Votre compte est rechargé de 5 050 FCFA")
    code_at = said.index("1283 9300 9320 9223")
    goodbye = said.index("Au revoir")
    assert pending < funded < code_at < goodbye
    with sqlite3.connect(tmp_path / "demo.sqlite3") as db:
        collections = db.execute("SELECT method, number, amount, status FROM collections")
        assert collections.fetchall() == [("wave", "770000000", 5050, "success")]
        payments = db.execute("SELECT reference, amount, status FROM payments").fetchall()
        assert payments == [("07061270877", 5000, "success")]
        kinds = db.execute("SELECT kind, amount FROM ledger ORDER BY id").fetchall()
        assert kinds == [("funding", 5050), ("reserve", -5050), ("settle", 0)]


async def test_demo_buys_woyofal_and_pays_a_senelec_bill(tmp_path: Path) -> None:
    code, stdout, stderr = await run_demo(tmp_path, SCRIPT, "--credit", "500000")
    assert code == 0, stderr
    assert "Traceback" not in stderr
    said = bot_lines(stdout)

    # The Woyofal purchase: summary, then the code in groups of four and the amounts.
    woyofal = said.index("Recharge Woyofal réussie")
    assert "Montant : 5 000 FCFA" in said[:woyofal]
    assert "Total à payer : 5 050 FCFA" in said[:woyofal]
    assert "\n1283 9300 9320 9223\n" in said[woyofal:]
    assert "Total : 5 050 FCFA" in said[woyofal:]

    # The receipt asked for under the result was saved as a PNG file, its path printed.
    saved = re.findall(r"^\[image: (receipts/\S+\.png)\]$", said, re.MULTILINE)
    assert saved == ["receipts/001-receipt-1.png"]
    assert woyofal < said.index("🧾 Reçu · Woyofal 07061270877 · 5 050 FCFA")
    png = (tmp_path / saved[0]).read_bytes()
    [qr] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))

    # Then the Senelec bill, whose question came after the Woyofal result.
    senelec = said.index("Facture Senelec payée")
    assert woyofal < said.index("Entrez la référence client") < senelec
    assert "Titulaire : Moussa DIOP" in said[woyofal:senelec]
    assert "Total à payer : 105 545 FCFA" in said[woyofal:senelec]
    assert "Facture : 8000000680" in said[senelec:]
    assert "Total : 105 545 FCFA" in said[senelec:]

    # The last purchase was answered PROCESSING; its code came by callback before goodbye.
    processing = said.index("Votre code arrive ici")
    last = said.index("Recharge Woyofal réussie", processing)
    goodbye = said.index("Au revoir")
    assert senelec < processing < last < goodbye
    codes = re.findall(r"^\d{4} \d{4} \d{4} \d{4} \d{4}$", said[last:goodbye], re.MULTILINE)
    assert len(codes) == 1
    assert "Total : 2 525 FCFA" in said[last:goodbye]

    # What the demo's database says happened: three payments, each once, all successful.
    with sqlite3.connect(tmp_path / "demo.sqlite3") as db:
        rows = db.execute(
            "SELECT service, reference, amount, status, codes FROM payments ORDER BY id"
        ).fetchall()
        [first_tx] = db.execute("SELECT provider_tx_id FROM payments WHERE id = 1").fetchone()
    assert qr.text == first_tx  # the receipt's QR code is the DEXCHANGE transaction id
    assert [
        (service, reference, amount, status) for service, reference, amount, status, _ in rows
    ] == [
        ("WOYOFAL_SN_BILL", "07061270877", 5000, "success"),
        ("SENELEC_SN_BILL", "210278816", 104_500, "success"),
        ("WOYOFAL_SN_BILL", "123456789", 2500, "success"),
    ]
    assert codes[0].replace(" ", "") in rows[2][4]


async def test_demo_ignores_nonsense_and_quits_on_q(tmp_path: Path) -> None:
    code, stdout, stderr = await run_demo(
        tmp_path, ["19", "bonjour", "1", "abc", "07061270877", "0", "1", "q", "1"]
    )
    assert code == 0, stderr
    said = bot_lines(stdout)
    assert "n'est pas une référence valide" in said
    assert "Le montant minimum est 1 000 FCFA" in said
    # "1" at the amount step is the 1 000 FCFA choice; "q" quits before anything is paid.
    assert "Montant : 1 000 FCFA" in said
    assert "Paiement envoyé" not in said
    assert "Au revoir" in said
    with sqlite3.connect(tmp_path / "demo.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM payments").fetchone() == (0,)


async def test_demo_in_wolof_buys_woyofal(tmp_path: Path) -> None:
    """`make demo LANGUAGE=wo`: the demo in Wolof from its banner to its goodbye."""
    lines = ["1", "07061270877", "3", "1"]  # ⚡ Jënd Woyofal, meter, 5 000 FCFA, ✅ Dëggal
    code, stdout, stderr = await run_demo(tmp_path, lines, "--language", "wo", "--credit", "500000")
    assert code == 0, stderr
    said = bot_lines(stdout)
    assert "Démo bot bu fey bi" in said and "Salaam aleekum" in said
    assert "[1] ⚡ Jënd Woyofal" in said and "[9] ❓ Ndimbal" in said
    assert "[7] ➕ Yokk sama kont" in said  # funding from mobile money, beside the balance
    assert "Total bi ngay fey : 5 050 FCFA" in said
    assert "✅ Recharge Woyofal bi jàll na" in said and "1283 9300 9320 9223" in said
    assert said.rstrip().endswith("Ba beneen yoon ! Jërëjëf ci li nga jéem démo bi.")
    assert "Que voulez-vous faire" not in said
