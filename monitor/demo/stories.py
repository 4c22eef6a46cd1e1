"""The demo site's stories as data: the templates the newsroom publishes and the edits it makes to them."""

from __future__ import annotations

from dataclasses import dataclass

SITE_NAME = "demo-news"
SITE_TITLE = "The Riverton Courier"
INITIAL_STORIES = 3
FRONT_PAGE_STORIES = 15


@dataclass(frozen=True)
class Template:
    """A story the newsroom can publish, with the edits it can later make to it."""

    section: str
    byline: str
    title: str
    revised_title: str
    paragraphs: tuple[str, ...]
    revised_paragraph: str  # replaces paragraphs[1]


TEMPLATES = (
    Template(
        "local",
        "Maya Okafor",
        "Riverton council approves new bridge over the Alder",
        "Riverton council approves $48m bridge over the Alder after late-night vote",
        (
            "Riverton's city council voted 7-2 on Tuesday night to build a second road bridge over the "
            "Alder River, ending a debate that has run for more than a decade.",
            "The bridge is expected to cost about $40 million and to open to traffic in 2029.",
            "Supporters said the crossing would cut commuting times from the east bank by up to twenty "
            "minutes and take lorries out of the old town centre.",
            "Opponents warned that the project would swallow most of the city's road budget for years and "
            "called for a referendum before construction begins.",
        ),
        "The bridge is now expected to cost $48 million, up from an earlier estimate of $40 million, and "
        "to open to traffic in 2030.",
    ),
    Template(
        "business",
        "Daniel Reyes",
        "Harbour bakery chain to open twelve new shops",
        "Harbour bakery chain to open twelve shops and hire 150 staff",
        (
            "Harbour Bakeries, the family-owned chain founded in Riverton in 1962, said on Wednesday that it "
            "would open twelve new shops across the region by the end of next year.",
            "The company did not say how many people it would hire.",
            "Chief executive Lena Harbour said strong sales of its sourdough range had paid for the "
            "expansion without new borrowing.",
            "The first of the new shops is due to open in the Millbrook shopping centre in the spring.",
        ),
        "The company said the expansion would create about 150 jobs, most of them full-time.",
    ),
    Template(
        "politics",
        "Priya Natarajan",
        "Mayor proposes free buses for residents under 18",
        "Mayor's free bus plan for under-18s faces council budget test",
        (
            "Mayor Tom Aldridge proposed on Thursday that every Riverton resident under 18 should ride the "
            "city's buses for free from September.",
            "The scheme would cost an estimated $2.1 million a year, to be paid from parking revenue.",
            "Youth groups welcomed the plan, saying the cost of travel kept many teenagers away from sports "
            "clubs and evening classes.",
            "The proposal will be debated by the council's transport committee next month.",
        ),
        "City finance officers put the cost at $3.4 million a year, well above the mayor's estimate, and "
        "said parking revenue alone would not cover it.",
    ),
    Template(
        "science",
        "Hannah Lindqvist",
        "University team finds rare orchid in Alder valley",
        "Rare ghost orchid found in Alder valley for first time in 70 years",
        (
            "Botanists from Riverton University have found a colony of ghost orchids in woodland in the "
            "upper Alder valley, the first confirmed sighting in the region in decades.",
            "The team counted eleven flowering plants in a small clearing.",
            "The ghost orchid has no green leaves and lives off fungi in the soil, which makes it one of the "
            "hardest wild plants to find.",
            "The exact location is being kept secret to protect the plants from collectors.",
        ),
        "The team counted fourteen flowering plants in two small clearings, and expects to find more.",
    ),
    Template(
        "sport",
        "Sam Whitaker",
        "Riverton Rovers reach regional cup final",
        "Rovers reach regional cup final with stoppage-time winner",
        (
            "Riverton Rovers beat Eastfield Athletic 2-1 on Saturday to reach the regional cup final for the "
            "first time since 2011.",
            "Striker Jonah Mbeki scored both goals for the home side.",
            "A crowd of more than 4,000 watched the match at Mill Lane, the ground's biggest attendance this "
            "season.",
            "The final will be played at the county stadium on the first Saturday of May.",
        ),
        "Striker Jonah Mbeki scored both goals, the second deep into stoppage time after Eastfield had "
        "equalised from the penalty spot.",
    ),
    Template(
        "local",
        "Maya Okafor",
        "Flood defences on east bank to be raised",
        "East bank flood walls to be raised by a metre after winter floods",
        (
            "The regional water authority will raise the flood walls along Riverton's east bank after three "
            "floods in the past two winters.",
            "Work is due to start in June and to take about eighteen months.",
            "Residents of the Quayside estate, which was flooded twice last year, have been promised "
            "temporary barriers until the work is finished.",
            "The authority said it would hold a public meeting at the Quayside community hall next week.",
        ),
        "Work on the walls, which will rise by about a metre, is due to start in June and to take about "
        "eighteen months.",
    ),
    Template(
        "business",
        "Daniel Reyes",
        "Former textile mill to become tech hub",
        "Former Alder textile mill to become tech hub with 300 desks",
        (
            "The derelict Alder textile mill, empty since 1998, is to be turned into offices for technology "
            "start-ups under plans approved on Monday.",
            "The developer said the building would offer space for about 200 people.",
            "The mill's chimney and weaving hall, both listed buildings, will be restored as part of the "
            "project.",
            "The first tenants are expected to move in early next year.",
        ),
        "The developer said the building would offer 300 desks, a café and a public exhibition about the "
        "mill's history.",
    ),
    Template(
        "politics",
        "Priya Natarajan",
        "School meals contract goes to local supplier",
        "School meals contract goes to local supplier after parents' campaign",
        (
            "Riverton's schools will buy their meals from a local catering co-operative from next term, the "
            "education board said on Friday.",
            "The three-year contract is worth about $5 million.",
            "The board said the co-operative had promised to use produce from farms within fifty miles of "
            "the city wherever possible.",
            "The previous supplier, a national catering group, did not bid for the new contract.",
        ),
        "The three-year contract is worth about $5 million and was awarded after a campaign by parents "
        "who collected more than 3,000 signatures.",
    ),
)

EDIT_KINDS = {
    "paragraph": "rewrote the second paragraph",
    "update": "appended an update",
    "headline": "changed the headline",
}

UPDATES = (
    "The council said a full report would be published on its website later today.",
    "A spokesperson declined to comment further when contacted by the Courier.",
    "This story has been updated with a response from the regional authority.",
    "Readers can send questions about the plan to the Courier's newsdesk.",
)
