"""Sort by length and batch by a token budget, so padding is small and batches fill the CPU.

A batch costs about (its longest sentence) × (its size) × (beams) in every decoding step,
and generation runs until its longest output is done, so a batch also holds only
sentences of similar length: a 12-token sentence never waits for a 100-token one.
"""

from __future__ import annotations

from collections.abc import Sequence


def token_batches(lengths: Sequence[int], max_tokens: int, max_sentences: int = 64,
                  spread: float = 0.25) -> list[list[int]]:
    """Indices grouped into batches whose padded size (longest × count) stays ≤ max_tokens
    and whose lengths differ by at most max(8, spread × longest) tokens.

    Longest first: the first batch shows at once whether memory suffices. A single
    sentence longer than the budget gets a batch of its own.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in order:
        longest_if_added = max(longest, lengths[i])
        too_different = current and longest - lengths[i] > max(8, spread * longest)
        if current and (too_different or longest_if_added * (len(current) + 1) > max_tokens
                        or len(current) >= max_sentences):
            batches.append(current)
            current, longest_if_added = [], lengths[i]
        current.append(i)
        longest = longest_if_added
    if current:
        batches.append(current)
    return batches
