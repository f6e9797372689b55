# ruff: noqa: E501 - prose, kept one post per line
"""What the demo people write: posts by interest, replies, quote comments, and a few special posts.

``{who}`` in a text is replaced by the handle of someone the author follows (a mention).
"""

from __future__ import annotations

# Topic key → (topic tag as shown, posts).
TOPICS: dict[str, tuple[str, tuple[str, ...]]] = {
    "photography": (
        "Street Photography",
        (
            "Shot a whole roll on the tram today. Nobody looks up from their phones anymore, which makes for oddly "
            "peaceful portraits.",
            "Golden hour is overrated. Give me flat grey light and a wet pavement any day.",
            "Finally printed the harbour series. Seeing them at 30x40 changes everything — half of them don't hold "
            "up and two are much better than I thought.",
            "Unpopular opinion: the best camera settings post is 'go outside more'.",
            "Zone focusing at f/8 and just walking. That's the whole technique.",
            "Lost a lens cap, found a great frame while looking for it. Fair trade.",
            "Contact sheets are the most honest thing in photography. Every miss is right there.",
            "Someone asked if I'm 'allowed' to take pictures in public. Good conversation, actually — we talked for "
            "twenty minutes and I got a portrait out of it.",
            "The light at 7am by the fish market is unreal this week.",
            "Editing tip that took me years: decide what the photo is about before you touch a slider.",
            "Black and white isn't a rescue for a bad colour photo. It's a different photo.",
            "Three hours, one good frame. Average day, honestly.",
        ),
    ),
    "python": (
        "Python",
        (
            "Replaced a 200-line class with a dataclass and two functions. Feels like cleaning out a drawer.",
            "Today I learned that `functools.cache` on a method keeps `self` alive forever. Use `cached_property` "
            "or a module-level cache instead.",
            "Type hints didn't make my code correct. They made my wrong assumptions visible, which is better.",
            "Hot take: most 'clever' list comprehensions should be a for loop with a good variable name.",
            "Spent the afternoon profiling. The slow part was, as always, the database query I was sure was fine.",
            "Python 3.11 made our test suite 20% faster and I did nothing. Best kind of optimisation.",
            "`pathlib` everywhere now. I don't miss `os.path.join` one bit.",
            "Writing tests through the HTTP API instead of mocking internals caught three real bugs this week.",
            "Reminder: `datetime.utcnow()` returns a naive datetime. Use `datetime.now(UTC)`.",
            "Ruff replaced four tools in our CI and runs in 0.2 seconds. I keep checking that it actually ran.",
            "Pair-programmed with a junior today and learned more than they did. Explaining is debugging.",
            "Structural pattern matching is great for parsers and terrible for everything I tried to use it for "
            "before that.",
        ),
    ),
    "baking": (
        "Sourdough",
        (
            "Gloria (the starter) doubled in four hours today. She knows it's spring.",
            "Tried a 36-hour cold retard. The crumb is wild, the crust shattered like glass. Worth it.",
            "Baking tip: weigh everything. Cups are a suggestion, grams are a promise.",
            "Made cardamom buns for the neighbours and now they won't stop knocking. Success?",
            "Over-proofed a loaf so badly it became a focaccia. Called it intentional. Nobody questioned it.",
            "Rye is humbling. Sticky, dense, and somehow the best bread I've made all year.",
            "Hot kitchen, fast ferment. Cut the levain by a third and it behaved.",
            "The secret to a good croissant is a cold kitchen and a very patient partner.",
            "Sunday: three loaves, one disaster, zero regrets.",
            "Scoring patterns are just doodles that happen to affect oven spring.",
            "Brown butter in the cookie dough. That's it, that's the post.",
            "If your banana bread is dry, it wanted one more banana. It always wants one more banana.",
        ),
    ),
    "climbing": (
        "Bouldering",
        (
            "Sent the purple V5 after three weeks. Turns out the trick was to stop overthinking the heel hook.",
            "Skin is the real grade limiter. Taking a rest day whether I like it or not.",
            "Warm-up laps are not optional after 30. Learned that one the hard way.",
            "New set at the wall. Everything is slab. Everyone is scared. Love it.",
            "First outdoor trip of the year. The rock felt like sandpaper and I felt like a beginner again.",
            "Fingerboarding is 10% training and 90% staring at a timer.",
            "A stranger gave me beta on a crux and it worked perfectly. Climbing people are the best people.",
            "Fell off the last move four times. Came back next session and flashed the whole thing. Brains are weird.",
            "Hangboard protocol update: less, but more consistently. Shocking, I know.",
            "Spotting is a skill. Pay attention to your friends' falls, not your phone.",
        ),
    ),
    "books": (
        "Books",
        (
            "Finished 'The Left Hand of Darkness' on the train and missed my stop. Ten out of ten.",
            "Rereading books I loved at 19 is a risky hobby. Two held up, one really didn't.",
            "My to-read pile is now load-bearing.",
            "The best short story collection I read this year was a library discard for 50p.",
            "Anyone else read the last chapter first? No? Just me? Fine.",
            "Book club picked a 900-page novel for a four-week month. Bold.",
            "Translated fiction recommendations, please — I want to read more outside English this year.",
            "There's a specific joy in a used book with someone else's margin notes.",
            "Finished three books this week because I left my phone in another room. Might make it a habit.",
            "Audiobooks count. Graphic novels count. Reading counts. Next question.",
            "Abandoned a book at page 60 and felt nothing but relief. Life's too short.",
            "Poetry collection of the month: small, strange and I've reread it twice already.",
        ),
    ),
    "coffee": (
        "Coffee",
        (
            "Dialled in the new beans at 18g in, 40g out, 29 seconds. Tastes like blueberries and good decisions.",
            "Hand grinders are arm day.",
            "Washed Ethiopians for the morning, a chunky Brazilian for the afternoon. Science.",
            "My local café changed their espresso blend and I'm going through something.",
            "Cold brew concentrate in the fridge means summer has officially started.",
            "Roasted a batch a little too dark. Made excellent moka pot coffee anyway. No bad beans, only bad brews.",
            "Water chemistry rabbit hole: day three. Send help. Or magnesium.",
            "Latte art progress: the heart now looks like a heart and not a cloud.",
            "Just a reminder that 'strong' coffee and 'dark' coffee are not the same thing.",
            "Three coffees in and I finally understand the email I read at 9.",
            "A good cortado fixes most Mondays.",
        ),
    ),
    "cycling": (
        "Cycling",
        (
            "Rode 120 km along the river today. Headwind both ways, somehow.",
            "New bar tape. Bike feels brand new. This is the cheapest happiness available.",
            "Gravel is just cycling with more snacks.",
            "Commute by bike for a month: saved money, slept better, lost one glove.",
            "Got a puncture in the rain and a stranger stopped to help. Faith in humanity restored.",
            "Clean your chain. Your future self, and your drivetrain, will thank you.",
            "Climbed the hill without stopping for the first time. Took a photo at the top like I'd summited Everest.",
            "Planning a three-day tour. Route: mostly bakeries, some roads in between.",
            "Mudguards are the most underrated upgrade. Fight me (politely, on a dry bike).",
            "Cycled to work in the first frost of the year. Fingers still negotiating.",
            "Bike fit appointment today. Turns out my saddle was 2 cm too low for six years.",
        ),
    ),
    "gardening": (
        "Gardening",
        (
            "First tomatoes of the year are ripening. Eating them in the garden like a raccoon.",
            "The mint has escaped the pot. It is now the garden.",
            "Compost pile finally hot enough to steam in the morning. Proud of a heap of rot, and that's fine.",
            "Slugs ate every single lettuce overnight. Every one. Precision.",
            "Sowed broad beans in the rain. Gardening is mostly being damp on purpose.",
            "Planted a native hedge along the fence. Give it five years and it'll be full of birds.",
            "The allotment neighbour gave me a courgette the size of a toddler.",
            "No-dig beds in their second year are a revelation. Less work, better soil.",
            "Saved seeds from last year's beans and they all came up. Tiny miracle.",
            "Dahlias: worth every earwig.",
        ),
    ),
    "jazz": (
        "Jazz",
        (
            "Thursday jam was packed. A 17-year-old on trumpet played circles around all of us.",
            "Transcribing a Bill Evans voicing and discovering I've been playing it wrong for a decade.",
            "Nothing beats the first set on a Tuesday in a half-empty club.",
            "Practising scales to a metronome set at 40. Slow is smooth, smooth is fast.",
            "Kind of Blue is a perfect record, and I'll say it every year.",
            "Someone asked what 'comping' means. Long answer: listening. Short answer: also listening.",
            "Found a first pressing in a charity shop for £3. The sleeve is ruined. The record is perfect.",
            "The best jazz advice I got: play fewer notes, mean all of them.",
            "Gig tonight. Setlist is a rumour.",
            "Learning a standard in all 12 keys. Currently stuck in B major, possibly forever.",
        ),
    ),
    "birding": (
        "Birding",
        (
            "Kingfisher at the reservoir this morning! Blue flash, gone. Best three seconds of the week.",
            "Swifts are back. Summer starts when they scream past the window.",
            "Counted 43 species on the patch today. New record, mostly thanks to a very confused warbler.",
            "Starling murmuration over the marsh at dusk. No photo does it justice, so I didn't try.",
            "Heard a cuckoo for the first time in years. Stood still until it stopped.",
            "Bird ID tip: behaviour first, colour last. Light lies.",
            "A heron has been standing in the same spot for an hour. Role model.",
            "Put up a nest box in February. Blue tits moved in yesterday. I'm unreasonably emotional.",
            "Early morning at the estuary. Curlews, redshanks and one very loud oystercatcher.",
            "Feeder update: the squirrel has won. Again.",
        ),
    ),
    "urbanism": (
        "Urbanism",
        (
            "A street is a place, not just a pipe for cars. Every good city understands this.",
            "The new protected bike lane has been open a month. Shops on the street report more customers, not "
            "fewer.",
            "Benches are infrastructure. A city without places to sit is a city that doesn't want you to stay.",
            "Walked the whole length of the ring road today. Nobody should have to do that. Nobody does, because "
            "you can't.",
            "Trees on streets lower summer temperatures by several degrees. Plant them everywhere.",
            "Good transit maps are a design miracle. Bad ones are a daily punishment.",
            "Mixed-use zoning means you can buy bread without getting in a car. That's it, that's the pitch.",
            "Low-traffic neighbourhood trial: kids playing in the street again within two weeks.",
            "The best public spaces are a little bit messy.",
            "Parking minimums are a tax on everyone who doesn't drive.",
        ),
    ),
    "film": (
        "Film",
        (
            "Saw a 35mm print of 'Stalker' at the cinema tonight. Left in silence. Still silent.",
            "Subtitles on. Always. For everything. Even films in English.",
            "Programming a season of 1970s road movies. Suggestions welcome.",
            "The cinema was half empty and it was perfect.",
            "Rewatched a film I hated at 20 and now I love it. Who changed, me or it? (Me.)",
            "Nothing beats a double bill on a rainy Sunday.",
            "The best trailer is no trailer. Go in blind.",
            "A film that makes you want to call your mum is a good film.",
            "Festival week: 14 films in 6 days. My eyes are tired, my heart is full.",
            "Physical media is back in my house. The shelf is judging me.",
        ),
    ),
}

GENERAL = (
    "Morning. Rain again. Coffee first, opinions later.",
    "Took the long way home just because the light was nice.",
    "What's a small thing that made your week better?",
    "Deleted three apps from my phone and got two hours a day back. Not sure what to do with them yet.",
    "Cooking dinner for eight tonight. Haven't decided what. This is fine.",
    "Went for a walk without headphones. Highly recommend, weird at first.",
    "Found a note I wrote myself a year ago. Past me was surprisingly wise.",
    "Friday plans: absolutely nothing, and I'm very excited about it.",
    "Learning to say no to things. Going well. No further questions.",
    "The best conversations happen in kitchens at parties.",
    "It's the first warm evening of the year and everybody in the park knows it.",
    "Library card: still the best deal in town.",
    "Trying a new thing where I reply to messages the same day. Wish me luck.",
    "Slept nine hours. Feel like a new person. Want to tell everyone.",
    "Any recommendations for a cheap, sturdy backpack? Mine has finally given up after eight years.",
    "Little wins: fixed the squeaky door with a pencil.",
)

REPLIES = (
    "This is great.",
    "Same here!",
    "Saving this for later.",
    "Couldn't agree more.",
    "Ha, been there.",
    "How long did that take you?",
    "Love this.",
    "Okay, now I want to try it.",
    "Where was this?",
    "Genuinely useful, thank you.",
    "Respectfully, no. But I see your point.",
    "This made my morning.",
    "Do you have a link for that?",
    "I needed to hear this today.",
    "Bold move. Report back!",
    "The eternal question.",
    "Seconded.",
    "Wait, really? Tell me more.",
    "Congrats!! 🎉",
    "That's exactly what happened to me last week.",
    "Adding it to the list.",
    "Oh this is lovely.",
    "Hard agree.",
    "I'd pay money to see that.",
    "Okay but which one would you pick?",
    "This is the content I'm here for.",
    "Yes! Finally someone said it.",
    "Beautiful.",
    "I tried this once and it did not go well 😅",
    "Underrated take.",
)

# Replies the author of the original post gives back in a thread.
AUTHOR_REPLIES = (
    "Thanks! It took a few tries.",
    "Ha, yes — exactly that.",
    "Right? I'm still thinking about it.",
    "Not long, maybe an afternoon.",
    "I'll post an update next week.",
    "Let me find the link.",
    "Exactly my thinking.",
    "Fair point, I hadn't thought of that.",
    "You should! Tell me how it goes.",
    "Appreciate you 🙏",
)

QUOTES = (
    "This is the most correct thing I've read today.",
    "Exactly this.",
    "Saving this thread — lots of good advice in the replies.",
    "Strongly agree, with one small footnote: it depends on the weather.",
    "Everyone should read this.",
    "Okay, counterpoint:",
    "Sharing because I needed it.",
    "The replies to this are a gold mine.",
    "Respectfully disagree, but great post.",
    "This, but also: drink water.",
)

MENTIONS = (
    "Thanks to @{who} for the recommendation, it was spot on.",
    "@{who} you were right, as usual.",
    "Met up with @{who} today — great conversation, better coffee.",
    "Who else should I follow for this? @{who} is already on my list.",
    "@{who} this one's for you.",
    "Had a long chat with @{who} about this and I've changed my mind.",
)

LINKS = (
    "Good read on why cities with more trees are cooler in summer: https://www.bbc.co.uk/news/science-environment",
    "The Python docs' tutorial is still the best introduction there is: https://docs.python.org/3/tutorial/",
    "This long read on the history of sourdough is wonderful https://en.wikipedia.org/wiki/Sourdough",
    "Bookmarking this for the next trip: https://www.openstreetmap.org",
    "The Django release notes are worth reading every time: https://docs.djangoproject.com/en/stable/releases/",
    "Lovely piece on birdsong recordings: https://xeno-canto.org",
    "Our cinema's programme for next month is up: https://noor.example/programme",
    "Everything I know about espresso, I learned here https://en.wikipedia.org/wiki/Espresso",
    "Reading list for the bike tour: https://www.gutenberg.org",
    "The jam session is moving to a new venue — details: https://kenji.example/gigs",
    "If you're into maps: https://www.openstreetmap.org/about",
    "Great explainer on how climbing grades work: https://en.wikipedia.org/wiki/Grade_(climbing)",
)

# (text, [spoiler substrings]) — the substrings are hidden until clicked.
SPOILERS = (
    (
        "Finally watched it. The ending where the detective turns out to be the brother absolutely floored me.",
        ["the detective turns out to be the brother"],
    ),
    (
        "Book club tonight! My take: Marguerite dies in chapter 30 and the book never recovers from it.",
        ["Marguerite dies in chapter 30"],
    ),
    (
        "No spoilers but also: the last five minutes reveal the whole thing was a dream. Discuss.",
        ["the whole thing was a dream"],
    ),
    (
        "The twist in the third act is that the narrator wrote the letters herself. I screamed.",
        ["the narrator wrote the letters herself"],
    ),
    (
        "Series finale thoughts: they never find the ship, and the captain stays on the island.",
        ["they never find the ship", "the captain stays on the island"],
    ),
)

POLLS = (
    (
        "Settle this: best time of day for a ride?",
        ["Sunrise", "Lunch break", "After work", "Never, it's raining"],
    ),
    ("Which should the next book club pick be?", ["A classic", "Something new", "Poetry", "Graphic novel"]),
)

GHOST = "Ghost post: I just ate the last cardamom bun. No witnesses. This post self-destructs in 24 hours."

LONG_POST = (
    "Notes from a year of learning to bake bread",
    "A year ago I couldn't make toast. Here's what I learned, in no particular order.\n\n"
    "Weigh everything. The scale is the single most useful tool in the kitchen, and it costs less than a "
    "bag of good flour.\n\n"
    "Temperature matters more than time. A recipe that says 'four hours' means 'four hours at 24 degrees'. "
    "In a cold kitchen, it can be eight.\n\n"
    "Write things down. Every bake, every change. After twenty loaves you'll see patterns you'd never "
    "remember otherwise.\n\n"
    "Bake for people. Bread is better shared, and nothing motivates like a neighbour asking when the next "
    "loaf is coming.\n\n"
    "Finally: most failures are still delicious. Toast them.",
)

IMAGE_POSTS = (
    ("Morning light over the harbour.", "A harbour at sunrise, boats silhouetted against an orange sky."),
    ("This week's bake.", "A round sourdough loaf with a deep ear, on a wooden board."),
    ("View from the top of the climb.", "Rolling green hills under a pale blue sky."),
    ("The allotment in June.", "Raised vegetable beds with bean poles and a small shed."),
    ("Night shift at the club.", "A dim stage with a piano and a double bass under blue light."),
    ("Coffee, book, rain. Perfect.", "A cup of coffee beside an open paperback on a café table."),
)
