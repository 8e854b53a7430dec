"""The optional LLM summariser, with fake models: never the network."""

from pipeline.summarise.llm import checked_bullets, llm_bullets
from samples import GOOD, SOURCES, FakeModel


def test_a_good_answer_becomes_bullets_with_provenance():
    model = FakeModel(GOOD)
    bullets = llm_bullets(model, SOURCES)
    assert [b.text for b in bullets] == [line[2:] for line in GOOD.splitlines()]
    assert bullets[0].article_id == 7 and "66,482件" in bullets[0].source_sentence
    assert "箇条書き" in model.prompts[0] and "66,482件" in model.prompts[0]  # house rules and the source


def test_invented_figures_are_refused():
    assert checked_bullets(GOOD.replace("66,482件", "70,000件"), SOURCES, 120) is None


def test_wrong_shape_or_length_is_refused():
    assert checked_bullets("- 一つだけです。\n", SOURCES, 120) is None
    assert checked_bullets(GOOD + "- 四つ目です。\n- 五つ目です。\n", SOURCES, 120) is None
    assert checked_bullets(GOOD, SOURCES, 20) is None


def test_model_failure_returns_none_for_the_fallback():
    assert llm_bullets(FakeModel(error=TimeoutError("slow")), SOURCES) is None
