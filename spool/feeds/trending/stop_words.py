"""English words too common to trend on their own: function words, auxiliaries, pronouns and the filler of
short posts. A keyword (or either word of a two-word phrase) in this set is never counted."""

from __future__ import annotations

STOP_WORDS: frozenset[str] = frozenset(
    """
    a about above after again against ago all almost also although always am among an and another any
    anybody anyone anything anyway are aren't around as at away back be became because become been before
    being below best better between big both but by came can can't cannot could couldn't day days did didn't
    do does doesn't doing don't done down during each either else enough even ever every everyone
    everything few first for from full further get gets getting give go goes going gone got great had hadn't
    has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his how how's
    however i i'd i'll i'm i've if in into is isn't it it's its itself just keep know last least less let
    let's like little lot lots made make makes many may maybe me might mine more most much must my myself
    need never new next nice no nobody none nor not nothing now of off oh ok okay old on once one only or
    other others our ours ourselves out over own people pretty put quite rather really right said same saw
    say says see seen she she'd she'll she's should shouldn't since so some somebody someone something
    still such sure take than thank thanks that that's the their theirs them themselves then there there's
    these they they'd they'll they're they've thing things think this those though through time to today
    too took two under until up upon us use used very want was wasn't way we we'd we'll we're we've well
    went were weren't what what's when when's where where's whether which while who who's whole whom whose
    why why's will with within without won't would wouldn't yeah yes yet you you'd you'll you're you've
    your yours yourself yourselves
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
