"""OrderedDelivery (realtime/delivery.py): each numbered view goes out once, in order, whatever order
and how often the bus brings them; a gap is filled from the reader."""

import threading

from clbchat.realtime.delivery import OrderedDelivery


class Thread:
    """A reader over a fake database of threads; records what was sent."""

    def __init__(self, stored: dict[int, list[int]]):
        self.stored = stored
        self.sent: list[tuple[int, int]] = []
        self.reads = 0

    def send_view(self, key, view):
        self.sent.append((key, view["seq"]))

    def read_after(self, key, after_seq):
        self.reads += 1
        return [{"seq": seq} for seq in self.stored[key] if seq > after_seq]


def test_views_in_order_go_out_once_and_old_ones_are_dropped():
    reader = Thread({1: [1, 2, 3]})
    delivery = OrderedDelivery(reader)
    delivery.start(1, 0)
    for seq in (1, 1, 2, 1, 3, 2):
        delivery.deliver(1, {"seq": seq})
    assert reader.sent == [(1, 1), (1, 2), (1, 3)]
    assert reader.reads == 0


def test_a_gap_is_filled_from_the_reader_and_the_late_view_then_dropped():
    reader = Thread({1: [1, 2, 3, 4]})
    delivery = OrderedDelivery(reader)
    delivery.start(1, 1)  # the connection has 1 already
    delivery.deliver(1, {"seq": 4})  # 2 and 3 were missed
    delivery.deliver(1, {"seq": 3})
    assert reader.sent == [(1, 2), (1, 3), (1, 4)]


def test_threads_are_independent_and_an_unfollowed_one_is_ignored():
    reader = Thread({1: [1], 2: [1, 2]})
    delivery = OrderedDelivery(reader)
    delivery.start(1, 0)
    delivery.start(2, 1)
    delivery.deliver(3, {"seq": 1})
    delivery.deliver(2, {"seq": 2})
    delivery.deliver(1, {"seq": 1})
    assert reader.sent == [(2, 2), (1, 1)]
    assert delivery.stop(2) and not delivery.stop(2)
    delivery.deliver(2, {"seq": 3})
    assert delivery.threads() == [1] and not delivery.follows(2)


def test_fill_catches_up_from_the_start_point():
    reader = Thread({1: [1, 2, 3]})
    delivery = OrderedDelivery(reader)
    delivery.start(1, 1)
    delivery.fill(1)
    delivery.fill(1)
    assert reader.sent == [(1, 2), (1, 3)]


def test_concurrent_deliveries_send_each_seq_once_in_order():
    seqs = list(range(1, 201))
    reader = Thread({1: seqs})
    delivery = OrderedDelivery(reader)
    delivery.start(1, 0)
    threads = [threading.Thread(target=lambda order=order: [delivery.deliver(1, {"seq": s}) for s in order])
               for order in (seqs, list(reversed(seqs)), seqs[::2] + seqs[1::2])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert reader.sent == [(1, s) for s in seqs]
