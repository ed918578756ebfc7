"""The language of an article: what the page declares, checked against its text."""

from __future__ import annotations

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from pipelines.fields import language_code

__all__ = ["LanguageGuesser"]

# languages a text classifier cannot tell apart reliably; a page declaring one of them is right
_CLOSE = [{"no", "nb", "nn", "da"}, {"hr", "sr", "bs"}, {"ms", "id"}, {"cs", "sk"}, {"gl", "pt"}]


class LanguageGuesser:
    """py3langid with normalized probabilities; the model (1.5 s to load) loads on first use."""

    def __init__(self) -> None:
        self._identifier: LanguageIdentifier | None = None

    def guess(self, text: str) -> tuple[str | None, float]:
        """Return (ISO 639-1 code, probability) for *text*; (None, 0.0) for too little text."""
        if len(text) < 20:
            return None, 0.0
        if self._identifier is None:
            self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        code, probability = self._identifier.classify(text[:1000])
        return language_code(code), float(probability)

    def language(self, declared: str | None, text: str) -> str | None:
        """The declared language, unless a long text is confidently in another one.

        Templates often declare ``lang="en"`` on every page of a site that publishes in
        several languages.
        """
        if declared and len(text) < 400:
            return declared
        guessed, probability = self.guess(text)
        if not declared:
            return guessed
        if guessed and guessed != declared and probability >= 0.99:
            if not any(declared in group and guessed in group for group in _CLOSE):
                return guessed
        return declared
