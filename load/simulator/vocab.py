"""Word lists the world draws names, places and labels from (unicode and quotes on purpose)."""

from __future__ import annotations

FIRST_NAMES = (
    "Anna", "Ben", "Chloé", "David", "Emma", "Finn", "Grace", "Hugo", "Ines", "Jonas",
    "Zoë", "Liam", "Maya", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tomás",
    "Uma", "Victor", "Wei", "Xavier", "Yara", "Łukasz", "Søren", "Aoife", "Priya", "Kenji",
)
LAST_NAMES = (
    "Smith", "Müller", "O'Brien", "García", "Rossi", "Dubois", "Nowak", "Jansen", "Kim",
    "Nguyễn", "Sørensen", "Silva", "Brown", "Schmidt", "Martin", "Kowalski", "Tanaka",
    "D'Angelo", "Fernández", "Wright", "Ó Súilleabháin", "Patel", "Becker", "Lefèvre",
)
EMAIL_DOMAINS = ("example.com", "mail.test", "shop.example", "post.example.org")

# country, currency-neutral list of (city, region, postal pattern)
COUNTRIES: tuple[tuple[str, tuple[tuple[str, str | None], ...]], ...] = (
    ("DE", (("Berlin", "BE"), ("München", "BY"), ("Köln", "NW"))),
    ("FR", (("Paris", "IDF"), ("Lyon", "ARA"), ("Besançon", "BFC"))),
    ("GB", (("London", None), ("Manchester", None), ("Edinburgh", "SCT"))),
    ("US", (("New York", "NY"), ("Austin", "TX"), ("Portland", "OR"))),
    ("NL", (("Amsterdam", "NH"), ("Utrecht", "UT"))),
    ("ES", (("Madrid", "MD"), ("A Coruña", "GA"))),
    ("IT", (("Milano", "MI"), ("Roma", "RM"))),
    ("IE", (("Dublin", None), ("Cork", None))),
    ("IN", (("Bengaluru", "KA"), ("Mumbai", "MH"))),
    ("JP", (("Tokyo", "13"), ("Ōsaka", "27"))),
)
STREETS = (
    "Main Street", "Hauptstraße", "Rue de l'Église", "High St", "Calle Mayor",
    "Via Roma", "O'Connell Street", "Keizersgracht", "MG Road", "Sakura-dōri",
)
CURRENCIES = ("EUR", "USD", "GBP")
CURRENCY_WEIGHTS = (0.55, 0.3, 0.15)
TAX_RATE_PERMILLE = (190, 80, 200)

CATEGORIES = ("apparel", "home", "electronics", "books", "toys", "beauty", "garden", "grocery")
PRODUCT_ADJECTIVES = (
    "Classic", "Organic", "Crème Brûlée", "Deluxe", "Eco", "Vintage", 'The "Original"',
    "Smart", "Mini", "Hand-made", "{{ not jinja }}", "Zoë's",
)
PRODUCT_NOUNS = (
    "Mug", "Candle", "T-Shirt", "Lamp", "Notebook", "Headphones", "Puzzle", "Soap",
    "Plant Pot", "Tea", "Backpack", "Poster",
)

PLATFORMS = ("ios", "android", "web", "pos")
OS_BY_PLATFORM = (
    ("iOS 17.4", "iOS 18.1", "iPadOS 17.5"),
    ("Android 14", "Android 13", "Android 15"),
    ("Windows 11", "macOS 14.5", "Linux", None),
    ("PosOS 2.1", None),
)
USER_AGENTS = (
    "ShopApp/5.12.3 (iPhone; iOS 17.4)",
    "ShopApp/5.11.0 (Linux; Android 14; Pixel 8)",
    'Mozilla/5.0 (X11; Linux x86_64) "quoted" Gecko/20100101 Firefox/128.0',
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15",
    None,
)
APP_VERSIONS = ("5.12.3", "5.11.0", "5.10.2", "6.0.0-beta.1", None)

PAYMENT_METHODS = ("card", "paypal", "bank_transfer", "gift_card", "cash")
PAYMENT_WEIGHTS = (0.6, 0.2, 0.08, 0.05, 0.07)
CARD_BRANDS = ("visa", "mastercard", "amex", "maestro")

CHANNELS = ("web", "app", "marketplace", "store", "email")
CAMPAIGNS = (
    "spring_sale", "black_friday", "Zoë's \"Spring\" picks", "{{ not jinja }}", "été-2026",
    "newsletter", "O'Brien referral", "retarget",
)
GIFT_MESSAGES = ("Happy birthday!", "Alles Gute, Zoë ❤", "For O'Brien \"with love\"", None)
