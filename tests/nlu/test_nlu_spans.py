from nlu.spans import Occupied


def test_first_span_wins() -> None:
    occupied = Occupied()
    assert occupied.take(5, 10)
    assert not occupied.take(0, 6)
    assert not occupied.take(9, 12)
    assert not occupied.take(6, 8)
    assert not occupied.take(0, 20)
    assert occupied.take(0, 5) and occupied.take(10, 11)
    assert occupied.is_free(11, 30) and not occupied.is_free(4, 5)
