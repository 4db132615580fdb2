"""Languages come from the knowledge base: with no `[languages] supported`, a KB written in Japanese and Turkish
answers Japanese and Turkish questions (through the real bootstrap, ingest and engine), and a customer writing in
a language the KB lacks is told in that language that a person will reply."""

from __future__ import annotations

from pathlib import Path

from bot.bootstrap import bootstrap, channel_defaults
from bot.core.types import Escalate, Platform, Respond
from bot.settings import Config, Settings
from bot.store.memory import MemoryStore
from tests.fakes import RecordingDesk, RecordingOutbox
from tests.scenarios.conftest import Transcript
from tests.unit.knowledge.conftest import article


async def test_a_japanese_and_turkish_kb_answers_in_those_languages(tmp_path: Path, example_config: Config) -> None:
    kb = tmp_path / "kb"
    article(kb, "ja-password", "パスワードの再設定", "# パスワードの再設定\n\nログイン画面で「パスワードをお忘れの方」を押し、"
            "届いたメールのリンクから新しいパスワードを設定してください。リンクの有効期限は1時間です。", language="ja")
    article(kb, "ja-invoice", "請求書のダウンロード", "# 請求書のダウンロード\n\n設定の「請求」から過去の請求書をPDFでダウンロードできます。",
            language="ja")
    article(kb, "tr-password", "Şifre sıfırlama", "# Şifre sıfırlama\n\nGiriş sayfasında \"Şifremi unuttum\" bağlantısına "
            "tıklayın ve e-postadaki bağlantıyı izleyin. Bağlantı bir saat geçerlidir.", language="tr")
    settings = Settings(kb_dir=kb, data_dir=tmp_path / "data")
    config = example_config  # no `supported`: the articles decide
    store = MemoryStore(channel_defaults(config, settings))
    app = await bootstrap(settings, config=config, store=store)
    outbox, agents = RecordingOutbox(), RecordingDesk()
    app.outboxes[Platform.WEB] = outbox
    app.desks[Platform.WEB] = agents
    try:
        japanese = await Transcript(app, outbox, agents).say("パスワードを忘れてしまいました。どうすればいいですか？")
        assert isinstance(japanese, Respond) and japanese.language == "ja"
        assert japanese.articles and japanese.articles[0].article_id == "ja-password"
        assert japanese.reply.sources_label == "参考情報"
        turkish = await Transcript(app, outbox, agents).say("Şifremi unuttum, nasıl sıfırlayabilirim?")
        assert isinstance(turkish, Respond) and turkish.language == "tr"
        assert turkish.articles[0].article_id == "tr-password"
        german = await Transcript(app, outbox, agents).say("Wie kann ich meine Rechnungen herunterladen?")
        assert isinstance(german, Escalate) and german.reason == "language"
        assert "Team" in german.reply.text
    finally:
        await app.close()
