"""The demo cast: who they are, what they care about, how much they post.

Handles, names and links are invented; links point at ``.example`` hosts (reserved, never anyone's site).
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_HANDLE = "demo"
DEMO_EMAIL = "demo@spool.local"


@dataclass(frozen=True)
class Person:
    handle: str
    name: str
    bio: str
    interests: tuple[str, ...]
    links: tuple[tuple[str, str], ...] = ()
    private: bool = False
    # Relative weight for how often they post, reply and like (1 = average).
    activity: float = 1.0
    # Widely followed: most people follow them.
    popular: bool = False
    avatar: bool = True
    colour: str = ""


DEMO = Person(
    DEMO_HANDLE,
    "Demo",
    "The demo account. Post, reply, follow people — it's all yours to try.",
    ("coffee", "books", "cycling", "photography"),
    links=(("https://spool.example/about", "About Spool"),),
    activity=0.6,
    colour="#3b5bdb",
)

CAST: tuple[Person, ...] = (
    Person(
        "mira.okafor",
        "Mira Okafor",
        "Street photographer. 35mm, mostly. Lagos → Lisbon.",
        ("photography", "urbanism", "coffee"),
        (("https://mira.example", "Portfolio"),),
        popular=True,
        activity=1.6,
    ),
    Person(
        "tomasz_w",
        "Tomasz Wiśniewski",
        "Backend dev. Python, Postgres, long bike rides.",
        ("python", "cycling"),
        (("https://tomasz.example/blog", "Blog"),),
        activity=1.4,
    ),
    Person(
        "hannah.bakes",
        "Hannah Lindqvist",
        "Sourdough nerd. Feeding a starter named Gloria since 2019.",
        ("baking", "coffee", "gardening"),
        (("https://hannah.example/recipes", "Recipes"),),
        activity=1.3,
    ),
    Person(
        "raj.climbs",
        "Raj Patel",
        "Bouldering, trad on weekends. Physio by day.",
        ("climbing", "cycling"),
        activity=1.1,
    ),
    Person(
        "lucia.reads",
        "Lucía Fernández",
        "Reading 52 books a year, reviewing about 30 of them.",
        ("books", "film"),
        (("https://lucia.example/reviews", "Reviews"),),
        popular=True,
        activity=1.5,
    ),
    Person(
        "owen.birds",
        "Owen Gallagher",
        "Birder. Patch: the reservoir behind the bus depot.",
        ("birding", "photography", "gardening"),
        (("https://owen.example/patch-list", "Patch list"),),
        activity=1.0,
    ),
    Person(
        "amara.n",
        "Amara Nwosu",
        "Urban planner. Bike lanes are infrastructure, not politics.",
        ("urbanism", "cycling"),
        (("https://amara.example", "Talks"),),
        popular=True,
        activity=1.4,
    ),
    Person(
        "kenji.sato",
        "Kenji Sato",
        "Jazz pianist. Teaching harmony to anyone who'll sit still.",
        ("jazz", "coffee"),
        (("https://kenji.example/gigs", "Gigs"),),
        activity=1.0,
    ),
    Person(
        "elif.codes",
        "Elif Demir",
        "Type hints enthusiast. Maintainer of two small libraries.",
        ("python", "books"),
        (("https://elif.example", "Projects"),),
        popular=True,
        activity=1.5,
    ),
    Person(
        "sam.garden",
        "Sam Whitfield",
        "Allotment 42b. Tomatoes, beans and a suspicious amount of mint.",
        ("gardening", "baking"),
        (("https://sam.example", "Allotment diary"),),
        activity=1.1,
    ),
    Person(
        "noor.film",
        "Noor Haddad",
        "Film programmer at a tiny cinema. Subtitles on, always.",
        ("film", "books", "jazz"),
        (("https://noor.example", "This month's screenings"),),
        activity=1.3,
    ),
    Person(
        "felix.brews",
        "Felix Brandt",
        "Home roaster. Opinions about grind size available on request.",
        ("coffee", "baking"),
        (("https://felix.example/roasts", "Roast log"),),
        activity=1.0,
    ),
    Person(
        "ines.rides",
        "Inês Costa",
        "Gravel, touring, and the occasional very bad idea on a tandem.",
        ("cycling", "photography"),
        (("https://ines.example/routes", "Routes"), ("https://ines.example/photos", "Photos")),
        activity=1.2,
    ),
    Person(
        "dev.arjun",
        "Arjun Mehta",
        "Data engineer. Writes about pipelines that don't page you at 3am.",
        ("python", "urbanism"),
        activity=0.9,
    ),
    Person(
        "clara.jazz",
        "Clara Moreau",
        "Alto sax. Running a Thursday jam session since forever.",
        ("jazz", "film"),
        activity=0.8,
    ),
    Person(
        "ben.outdoors",
        "Ben Achterberg",
        "Climber, occasional birder, full-time dad.",
        ("climbing", "birding"),
        activity=0.8,
    ),
    Person(
        "yuki.draws",
        "Yuki Tanaka",
        "Illustrator. Sketchbook always in the bag.",
        ("photography", "film", "books"),
        (("https://yuki.example", "Shop"),),
        activity=1.0,
    ),
    Person(
        "grace.k",
        "Grace Kim",
        "Pastry chef on a sabbatical, baking for the neighbours.",
        ("baking", "coffee"),
        private=True,
        activity=0.9,
    ),
    Person(
        "marco.v",
        "Marco Valli",
        "Cycling commuter, civil engineer, lover of a good roundabout.",
        ("urbanism", "cycling", "coffee"),
        activity=0.9,
    ),
    Person(
        "zara.reads",
        "Zara Ahmed",
        "Librarian. Will recommend you a book whether you asked or not.",
        ("books", "gardening"),
        (("https://zara.example/lists", "Reading lists"),),
        popular=True,
        activity=1.2,
    ),
    Person(
        "leo.py",
        "Leo Santos",
        "Learning Python in public. Day 80-something.",
        ("python", "coffee"),
        activity=1.1,
    ),
    Person(
        "priya.birds",
        "Priya Raman",
        "Wader enthusiast. Binoculars > phone.",
        ("birding", "gardening"),
        private=True,
        activity=0.7,
    ),
    Person(
        "jonas.h",
        "Jonas Hoffmann",
        "Framed film photos, mostly of bicycles.",
        ("photography", "cycling"),
        activity=0.7,
        avatar=False,
    ),
    Person(
        "aisha.climb",
        "Aisha Bello",
        "Route setter at the local wall. Crimps are a personality.",
        ("climbing",),
        activity=0.9,
    ),
    Person(
        "tom.bakery", "Tom Reilly", "Runs a two-oven bakery. Up at 4, asleep at 9.", ("baking",), activity=0.8
    ),
    Person(
        "sofia.cine",
        "Sofia Rossi",
        "Film student. Watching every Kurosawa in order.",
        ("film", "photography"),
        private=True,
        activity=0.8,
    ),
    Person(
        "daniel.ng",
        "Daniel Ng",
        "SRE. Postgres whisperer. Tea, not coffee, sorry.",
        ("python", "jazz"),
        activity=0.9,
    ),
    Person(
        "maya.green",
        "Maya Green",
        "Community garden organiser. Compost is a love language.",
        ("gardening", "urbanism"),
        (("https://maya.example/garden", "Community garden"),),
        activity=1.0,
    ),
    Person(
        "olu.sound",
        "Olumide Adeyemi",
        "Record collector. Blue Note, Impulse!, and whatever's in the bin.",
        ("jazz", "books"),
        activity=0.8,
    ),
    Person(
        "chloe.trails",
        "Chloé Martin",
        "Bikepacking the long way round. Currently: somewhere with no signal.",
        ("cycling", "birding", "photography"),
        activity=0.8,
    ),
    Person(
        "viktor.k",
        "Viktor Kovač",
        "Teacher. Reading, cycling, arguing about transit maps.",
        ("books", "urbanism"),
        private=True,
        activity=0.6,
        avatar=False,
    ),
    Person(
        "lena.roast",
        "Lena Fischer",
        "Barista trainer. Latte art is 80% patience.",
        ("coffee",),
        (("https://lena.example", "Classes"),),
        activity=0.9,
    ),
    Person(
        "ravi.frames",
        "Ravi Iyer",
        "Landscape photography. Up before sunrise more than is healthy.",
        ("photography", "climbing"),
        activity=0.8,
    ),
    Person(
        "nadia.writes",
        "Nadia Karimi",
        "Writing a novel, slowly. Reading everyone else's, quickly.",
        ("books", "film", "coffee"),
        private=True,
        activity=0.7,
    ),
    Person(
        "pete.wild",
        "Pete Osei",
        "Wildlife volunteer. Counting swifts, hedgehogs and tea breaks.",
        ("birding", "gardening"),
        activity=0.7,
    ),
)

# Background colours for generated avatars, picked by position so each person keeps theirs.
PALETTE = (
    "#e8590c",
    "#2f9e44",
    "#1971c2",
    "#c2255c",
    "#6741d9",
    "#0c8599",
    "#e67700",
    "#5c940d",
    "#862e9c",
    "#d9480f",
    "#087f5b",
    "#364fc7",
    "#a61e4d",
    "#495057",
    "#9c36b5",
    "#1864ab",
)
