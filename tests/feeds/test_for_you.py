"""For You through the real services and database: every candidate source, steering that moves the ranking
at once, visibility (blocks, mutes, hidden words) at read time, stable cursor pages, and the query budget."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from spool.communities.services import create_community, join_community, leave_community
from spool.core.errors import NotFound, ValidationError
from spool.feeds.for_you.feed import for_you_page, forget_ranking
from spool.feeds.for_you.models import DearAlgoRequest, PostFeedback, TopicFollow
from spool.feeds.for_you.steering import (
    active_requests,
    create_dear_algo_request,
    give_feedback,
    revoke_dear_algo_request,
    undo_feedback,
)
from spool.feeds.for_you.topics import follow_topic, unfollow_topic
from spool.identities.services import block_account, follow_account, mute_account, unmute_account
from spool.identities.services.word_filters import KeywordChange, create_filter
from spool.posts.models import Post
from spool.posts.services import create_post, like_post, repost_post

pytestmark = pytest.mark.usefixtures("on_commit")


def ids(viewer, **kw):
    return [i.card.id for i in for_you_page(viewer, **kw).items]


def why(viewer, post):
    for item in for_you_page(viewer, limit=40).items:
        if item.card.id == post.id:
            return [r.text for r in item.explanation.reasons]
    raise AssertionError(f"post {post.id} not in For You")


# --- sources and explanations ------------------------------------------------------------------------------


def test_followed_accounts_posts_with_why(people):
    ana, bo = people("ana"), people("bo")
    follow_account(ana, bo)
    post = create_post(bo, text="Hello from Bo")
    assert ids(ana) == [post.id]
    assert why(ana, post)[0] == "You follow @bo"


def test_own_posts_and_replies_are_not_candidates(people):
    ana, bo = people("ana"), people("bo")
    follow_account(ana, bo)
    create_post(ana, text="mine")
    root = create_post(bo, text="root")
    create_post(bo, text="a reply", reply_to_id=root.id)
    assert ids(ana) == [root.id]


def test_followed_topic_posts_and_new_voices(people):
    ana, cy, di = people("ana"), people("cy"), people("di")
    follow_topic(ana, "#Cycling")
    follow_topic(ana, "Running")
    quiet = create_post(cy, text="Ride report", topic="running")
    liked = create_post(di, text="Hill climb", topic="Cycling")
    like_post(cy, liked.id)
    assert set(ids(ana)) == {quiet.id, liked.id}
    assert "You follow the topic Running" in why(ana, quiet)
    assert "New voice in a topic you follow" in why(ana, liked)


def test_posts_from_joined_communities_with_why(people):
    ana, cy, mod = people("ana"), people("cy"), people("mod")
    mod.user.is_staff = True
    mod.user.save(update_fields=["is_staff"])
    create_community(mod, topic="Gardening", name="Gardeners")
    create_community(mod, topic="Knitting", name="Knitters")
    garden = create_post(cy, text="Tomatoes are in", topic="gardening")
    create_post(cy, text="Purl two", topic="knitting")
    create_post(cy, text="No topic at all")
    assert ids(ana) == []  # nothing proposes cy's posts to ana before she joins
    join_community(ana, "gardeners")
    forget_ranking(ana.id)
    assert ids(ana) == [garden.id]
    assert why(ana, garden)[0] == "From your community Gardeners"
    leave_community(ana, "gardeners")
    forget_ranking(ana.id)
    assert ids(ana) == []


def test_community_posts_still_obey_blocks(people):
    ana, cy, mod = people("ana"), people("cy"), people("mod")
    mod.user.is_staff = True
    mod.user.save(update_fields=["is_staff"])
    create_community(mod, topic="Gardening", name="Gardeners")
    join_community(ana, "gardeners")
    create_post(cy, text="Tomatoes are in", topic="gardening")
    block_account(ana, cy)
    assert ids(ana) == []


def test_posts_people_you_follow_liked_or_reposted(people):
    ana, bo, cy, di = people("ana"), people("bo"), people("cy"), people("di")
    follow_account(ana, bo)
    follow_account(ana, cy)
    post = create_post(di, text="Worth a read")
    like_post(bo, post.id)
    like_post(cy, post.id)
    other = create_post(di, text="Also good")
    repost_post(bo, other.id)
    assert why(ana, post)[0] == "@bo and @cy liked this"
    assert "@bo reposted this" in why(ana, other)


def test_trending_posts_are_candidates(people):
    ana = people("ana")
    crowd = [people(f"p{n}") for n in range(3)]
    post = create_post(crowd[0], text="big news")
    for person in crowd[1:]:
        like_post(person, post.id)
    assert post.id in ids(ana)
    assert "Trending" in why(ana, post)


def test_strangers_posts_without_engagement_stay_out(people):
    ana, zed = people("ana"), people("zed")
    create_post(zed, text="nobody saw this")
    assert ids(ana) == []


# --- steering ----------------------------------------------------------------------------------------------


def _two_followed(people):
    ana, bo, cy = people("ana"), people("bo"), people("cy")
    follow_account(ana, bo)
    follow_account(ana, cy)
    return ana, bo, cy


def test_show_less_on_an_author_drops_their_other_posts(people):
    ana, bo, cy = _two_followed(people)
    bo_first = create_post(bo, text="first")
    cy_post = create_post(cy, text="cy")
    bo_second = create_post(bo, text="second")
    assert ids(ana)[0] == bo_second.id
    give_feedback(ana, bo_first.id, "less")
    order = ids(ana)
    assert bo_first.id not in order  # the post itself leaves For You
    assert order == [cy_post.id, bo_second.id]  # and the author's other posts drop


def test_show_less_on_a_topic_drops_its_posts_by_others(people):
    ana, bo, cy = _two_followed(people)
    di = people("di")
    plain = create_post(cy, text="a walk")
    football = create_post(bo, text="transfer news", topic="Football")
    steered = create_post(di, text="match report", topic="football")
    before = ids(ana)  # (two accounts used the topic today: it trends, so di's post is there too)
    assert before.index(football.id) < before.index(plain.id)
    give_feedback(ana, steered.id, "less")  # a stranger's post: only the topic is in common
    assert ids(ana) == [plain.id, football.id]


def test_not_interested_removes_the_post_even_from_an_open_session(people):
    ana, bo, _ = _two_followed(people)
    posts = [create_post(bo, text=f"post {n}") for n in range(3)]
    first = for_you_page(ana, limit=1)
    give_feedback(ana, posts[1].id, "not_interested")
    rest = for_you_page(ana, cursor=first.next_cursor, limit=10)
    assert posts[1].id not in [i.card.id for i in rest.items]


def test_show_more_lifts_an_author_and_topic(people):
    ana, bo, cy = _two_followed(people)
    cy_post = create_post(cy, text="older", topic="Jazz")
    create_post(bo, text="newer")
    cy_new = create_post(cy, text="another", topic="Jazz")
    bo_newest = create_post(bo, text="newest")
    assert ids(ana)[0] == bo_newest.id
    give_feedback(ana, cy_post.id, "more")
    assert ids(ana)[0] == cy_new.id
    assert why(ana, cy_new)[0] == "You asked to see more from @cy"


def test_dear_algo_more_lifts_matching_posts_and_less_lowers(people):
    ana, bo, cy = _two_followed(people)
    cycling = create_post(cy, text="A long ride along the coast", topic="Cycling")
    politics = create_post(bo, text="Election politics again")
    plain = create_post(bo, text="Coffee time")
    assert ids(ana) == [plain.id, politics.id, cycling.id]
    request = create_dear_algo_request(ana, "Dear Algo, show me more about cycling and less politics")
    assert (request.more, request.less) == (["cycling"], ["politics"])
    assert ids(ana) == [cycling.id, plain.id, politics.id]
    assert why(ana, cycling)[0] == "You asked for more cycling"
    revoke_dear_algo_request(ana, request.id)
    assert ids(ana) == [plain.id, politics.id, cycling.id]


def test_a_post_starting_dear_algo_is_a_request(people):
    ana = people("ana")
    post = create_post(ana, text="Dear Algo, more #birds please")
    request = active_requests(ana).get()
    assert request.post_id == post.id and request.more == ["birds"]
    create_post(ana, text="Dear Algo, hello")  # reads as nothing: stays an ordinary post
    assert active_requests(ana).count() == 1


def test_requests_expire_after_three_days(people):
    ana = people("ana")
    request = create_dear_algo_request(ana, "more jazz")
    assert timedelta(days=3) - (request.expires_at - timezone.now()) < timedelta(minutes=1)
    DearAlgoRequest.objects.filter(id=request.id).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert list(active_requests(ana)) == []


def test_refused_requests_write_nothing(people):
    ana, bo = people("ana"), people("bo")
    for text, code in (
        ("", "blank"),
        ("x" * 281, "too_long"),
        ("hello there", "not_understood"),
        (5, "blank"),
    ):
        with pytest.raises(ValidationError) as raised:
            create_dear_algo_request(ana, text)
        assert raised.value.code == code
    request = create_dear_algo_request(bo, "more jazz")
    with pytest.raises(NotFound):
        revoke_dear_algo_request(ana, request.id)
    assert DearAlgoRequest.objects.filter(account=ana).count() == 0
    assert DearAlgoRequest.objects.get(id=request.id).revoked_at is None


def test_feedback_rules(people):
    ana, bo, cy = people("ana"), people("bo"), people("cy")
    block_account(cy, ana)
    hidden = create_post(cy, text="cannot see")
    mine = create_post(ana, text="mine")
    post = create_post(bo, text="hi")
    with pytest.raises(NotFound):
        give_feedback(ana, hidden.id, "less")
    with pytest.raises(ValidationError):
        give_feedback(ana, mine.id, "less")
    with pytest.raises(ValidationError):
        give_feedback(ana, post.id, "meh")
    assert not PostFeedback.objects.exists()
    give_feedback(ana, post.id, "less")
    give_feedback(ana, post.id, "more")
    assert PostFeedback.objects.get().kind == "more"
    undo_feedback(ana, post.id)
    with pytest.raises(NotFound):
        undo_feedback(ana, post.id)


def test_topic_follows(people):
    ana = people("ana")
    topic = follow_topic(ana, "#New Thing")
    assert topic.display == "New Thing"
    follow_topic(ana, "new thing")
    assert TopicFollow.objects.filter(account=ana).count() == 1
    unfollow_topic(ana, "NEW THING")
    assert not TopicFollow.objects.exists()
    with pytest.raises(NotFound):
        unfollow_topic(ana, "never used")
    with pytest.raises(ValidationError):
        follow_topic(ana, "a.b")


# --- visibility at read time -------------------------------------------------------------------------------


def test_blocked_muted_and_hidden_words_never_show(people):
    ana, bo, cy, di = people("ana"), people("bo"), people("cy"), people("di")
    for person in (bo, cy, di):
        follow_account(ana, person)
    bo_post = create_post(bo, text="from bo")
    cy_post = create_post(cy, text="from cy")
    spoiler = create_post(di, text="The finale spoilers are wild")
    fine = create_post(di, text="a fine day")
    assert set(ids(ana)) == {bo_post.id, cy_post.id, spoiler.id, fine.id}
    page = for_you_page(ana, limit=2)  # the session is ranked now; what follows applies at read time
    mute_account(ana, bo)
    block_account(cy, ana)
    create_filter(ana, title="tv", context=["home"], action="hide", keywords=[KeywordChange("finale")])
    seen = [i.card.id for i in page.items] + ids(ana, cursor=page.next_cursor, limit=10)
    forget_ranking(ana.id)
    assert set(ids(ana)) == {fine.id}
    assert bo_post.id not in seen[2:] and cy_post.id not in seen[2:] and spoiler.id not in seen[2:]
    unmute_account(ana, bo)
    forget_ranking(ana.id)
    assert set(ids(ana)) == {fine.id, bo_post.id}


def test_deleted_posts_disappear(people):
    ana, bo = people("ana"), people("bo")
    follow_account(ana, bo)
    post = create_post(bo, text="soon gone")
    assert ids(ana) == [post.id]
    Post.objects.filter(id=post.id).delete()
    assert ids(ana) == []


# --- pages -------------------------------------------------------------------------------------------------


def test_pages_never_repeat_or_skip_while_new_posts_arrive(people):
    ana = people("ana")
    authors = [people(f"a{n}") for n in range(8)]
    for author in authors:
        follow_account(ana, author)
        for n in range(3):
            create_post(author, text=f"{author.handle} {n}")
    everything = ids(ana, limit=40)
    seen, cursor = [], None
    while True:
        page = for_you_page(ana, cursor=cursor, limit=5)
        seen += [i.card.id for i in page.items]
        create_post(authors[0], text="arrives meanwhile")
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == everything and len(seen) == len(set(seen)) == 16  # 8 authors x 2 (author cap)


def test_bad_cursor_is_refused(people):
    with pytest.raises(ValidationError):
        for_you_page(people("ana"), cursor="nope")


def test_an_expired_session_starts_from_the_top(people):
    ana, bo = people("ana"), people("bo")
    follow_account(ana, bo)
    post = create_post(bo, text="hi")
    assert ids(ana, cursor="0123456789ab.3") == [post.id]


@pytest.mark.parametrize("limit", [5, 20])
def test_page_query_count_does_not_grow_with_page_size(people, django_assert_num_queries, limit):
    ana = people("ana")
    for n in range(12):
        author = people(f"w{n}")
        follow_account(ana, author)
        post = create_post(author, text=f"post {n}", topic=f"t{n % 4}")
        create_post(author, text=f"second {n}")
        like_post(ana, post.id)
    for_you_page(ana, limit=limit)  # ranked once for the session
    with django_assert_num_queries(WARM_QUERIES):
        page = for_you_page(ana, limit=limit)
    assert len(page.items) == limit
    forget_ranking(ana.id)
    with django_assert_num_queries(COLD_QUERIES):
        for_you_page(ana, limit=limit)


# A warm page: the posts (visibility rule, mutes, steered-away posts), hidden words (one query when the
# viewer has none), and the batched cards (four for these posts). A cold page ranks first: five source
# queries (new voices: one primary-key read of its pool's posts; trending: pools and the cached snapshot,
# no query; followed topics: the viewer's topics, read once for the sources and the features, and no post
# query when they follow none, as here), the joined communities (no community post query when none), the
# candidates, follows, interactions, feedback, Dear Algo.
WARM_QUERIES = 6
COLD_QUERIES = 17
