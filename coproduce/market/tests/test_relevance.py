from coproduce.market.relevance.evaluate import build, evaluate


def test_precision_at_5_on_the_labelled_set(db):
    _community, cases = build()
    assert len(cases) >= 60
    result = evaluate(cases)
    # Most requests have one or two right helpers, so precision@5 cannot exceed ~0.29;
    # hit@5 says how often a right helper is among the five shown.
    assert result.hit_at_5 >= 0.9, result
    assert result.precision_at_5 >= 0.25, result
