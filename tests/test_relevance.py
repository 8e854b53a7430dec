import pytest

from pipeline.analyse.facts import extract_facts
from pipeline.analyse.relevance import ProfileError, load_profile, score_story, victim_count

TEXT = "東都工科大学は、不正アクセスによりメールアドレス66,482件が流出した可能性があると発表した。"


def test_score_is_the_sum_of_listed_contributions():
    profile = load_profile()
    score, explanation = score_story(profile, TEXT, extract_facts(TEXT), has_primary=True, exploited=False,
                                     news_sites=2, partial=False)
    assert score == pytest.approx(sum(c.weight for c in explanation))
    signals = {c.signal for c in explanation}
    assert {"term:不正アクセス", "primary source found", "victim count 66,482件", "covered by 2 news sites"} <= signals
    assert explanation == sorted(explanation, key=lambda c: (-abs(c.weight), c.signal))


def test_signals_move_the_score_in_the_configured_direction():
    profile = load_profile()
    facts = extract_facts(TEXT)
    base, _ = score_story(profile, TEXT, facts, has_primary=False, exploited=False, news_sites=1, partial=False)
    with_primary, _ = score_story(profile, TEXT, facts, has_primary=True, exploited=False, news_sites=1, partial=False)
    exploited, _ = score_story(profile, TEXT, facts, has_primary=False, exploited=True, news_sites=1, partial=False)
    partial, _ = score_story(profile, TEXT, facts, has_primary=False, exploited=False, news_sites=1, partial=True)
    assert with_primary - base == profile.signals["primary_source"]
    assert exploited - base == profile.signals["exploited_cve"]
    assert partial < base


def test_victim_count_needs_a_thousand_of_a_victim_unit():
    assert victim_count(extract_facts("被害は120人、ファイルは5,000個、損害は2億円。")) == "5,000個"
    assert victim_count(extract_facts("被害は120人。")) is None


def test_custom_profile_replaces_the_default(tmp_path):
    custom = tmp_path / "p.toml"
    custom.write_text('[terms]\n"メール" = 10\n[signals]\nprimary_source = 0\n', encoding="utf-8")
    profile = load_profile(custom)
    score, explanation = score_story(profile, TEXT, [], has_primary=True, exploited=False, news_sites=1,
                                     partial=False)
    assert score == 10 and [c.signal for c in explanation] == ["term:メール"]


@pytest.mark.parametrize("content, message", [
    ('[terms]\n"x" = "heavy"\n', "must be a number"),
    ("[patterns]\n'(' = 1\n", "is invalid"),
    ("[terms\n", "topic profile"),
])
def test_bad_profile_is_a_clear_error(tmp_path, content, message):
    bad = tmp_path / "bad.toml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(ProfileError, match=message):
        load_profile(bad)
