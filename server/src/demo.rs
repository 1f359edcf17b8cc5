//! The demo fair: a sample modelled on GTI Expo 2021 in Gangwon, loaded once by `--demo`.
//!
//! Eight halls by industry, forty Gangwon exporters with their products and staff, buyers
//! from Russia, China, Mongolia, Japan and beyond in their own time zones, and interpreters.
//! Loading is idempotent and safe when several nodes start with `--demo` at once: the
//! `demo_loaded` marker is claimed inside the same transaction that writes the data.
//! Every demo account's password is [`DEMO_PASSWORD`].

use crate::auth::password;
use crate::store::json::encode_list;
use crate::store::{now_ms, Store};
use anyhow::Context;
use expo_schema::matchmaking::MarkLevel;
use sqlx::Any;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "expo-demo-2026";

struct Hall {
    slug: &'static str,
    name: &'static str,
    industry: &'static str,
    companies: &'static [Exhibitor],
}

struct Exhibitor {
    name: &'static str,
    region: &'static str,
    tagline: &'static str,
    founded: i64,
    tags: &'static [&'static str],
    /// (name, HS code, description)
    products: &'static [(&'static str, &'static str, &'static str)],
    /// (staff name, languages)
    staff: &'static [(&'static str, &'static [&'static str])],
}

const HALLS: &[Hall] = &[
    Hall {
        slug: "food",
        name: "Hall A · Food & Beverage",
        industry: "food",
        companies: &[
            Exhibitor {
                name: "Seorak Natural Foods",
                region: "Sokcho",
                tagline: "Mountain herbs and wild greens, dried the old way",
                founded: 2004,
                tags: &["food", "health-food", "organic"],
                products: &[
                    (
                        "Dried Gondre Thistle",
                        "0712.90",
                        "Wild Korean thistle for namul rice, sun-dried in Inje.",
                    ),
                    (
                        "Seorak Pine Needle Tea",
                        "2101.20",
                        "Pine needle tea bags, 40 per box.",
                    ),
                ],
                staff: &[
                    ("Park Ji-hoon", &["ko", "en"]),
                    ("Lee Soo-jin", &["ko", "ru"]),
                ],
            },
            Exhibitor {
                name: "Pyeongchang Highland Greens",
                region: "Pyeongchang",
                tagline: "Cabbage and potatoes from 700 m above sea level",
                founded: 2011,
                tags: &["food", "fresh-produce", "kimchi"],
                products: &[
                    (
                        "Highland Kimchi 1 kg",
                        "2005.99",
                        "Napa cabbage kimchi from highland cabbage, export packed.",
                    ),
                    (
                        "Purple Potato Chips",
                        "2005.20",
                        "Kettle-cooked purple potato chips, no additives.",
                    ),
                ],
                staff: &[("Choi Min-seo", &["ko", "en", "zh"])],
            },
            Exhibitor {
                name: "Gangneung Coffee Roasters",
                region: "Gangneung",
                tagline: "Korea's coffee city, roasted by the sea",
                founded: 2009,
                tags: &["food", "beverage", "coffee"],
                products: &[
                    (
                        "Anmok Beach Blend 1 kg",
                        "0901.21",
                        "Medium-roast whole beans.",
                    ),
                    (
                        "Cold Brew Pouch",
                        "2101.11",
                        "Ready-to-drink cold brew, 12 pouches.",
                    ),
                ],
                staff: &[("Kang Ye-jin", &["ko", "en", "ja"])],
            },
            Exhibitor {
                name: "Hoengseong Hanwoo Cooperative",
                region: "Hoengseong",
                tagline: "Premium Korean beef, from farm to table",
                founded: 1998,
                tags: &["food", "meat", "premium"],
                products: &[
                    (
                        "Hanwoo Beef Jerky",
                        "1602.50",
                        "Soy-glazed jerky from 1++ grade Hanwoo.",
                    ),
                    (
                        "Hanwoo Bone Broth",
                        "2104.10",
                        "Slow-boiled seolleongtang broth, retort pouch.",
                    ),
                ],
                staff: &[("Yoon Dae-ho", &["ko", "en"])],
            },
            Exhibitor {
                name: "Chuncheon Dakgalbi Foods",
                region: "Chuncheon",
                tagline: "The taste of Chuncheon, in a meal kit",
                founded: 2015,
                tags: &["food", "meal-kit", "sauce"],
                products: &[
                    (
                        "Dakgalbi Meal Kit",
                        "1602.32",
                        "Spicy stir-fried chicken kit for two.",
                    ),
                    (
                        "Gochujang Marinade",
                        "2103.90",
                        "Chuncheon-style marinade sauce, 500 g.",
                    ),
                    (
                        "Chuncheon Makguksu Noodles",
                        "1902.19",
                        "Dried buckwheat noodles with broth base, 4 servings.",
                    ),
                ],
                staff: &[("Han So-yeon", &["ko", "zh"])],
            },
        ],
    },
    Hall {
        slug: "cosmetics",
        name: "Hall B · Cosmetics & Beauty",
        industry: "cosmetics",
        companies: &[
            Exhibitor {
                name: "Donghae Deep Sea Cosmetics",
                region: "Donghae",
                tagline: "Skincare from East Sea deep ocean water",
                founded: 2013,
                tags: &["cosmetics", "skincare", "marine"],
                products: &[
                    (
                        "Deep Sea Water Toner",
                        "3304.99",
                        "Mineral-rich toner from 600 m deep water.",
                    ),
                    (
                        "Sea Mineral Sheet Mask",
                        "3304.99",
                        "Hydrating sheet masks, 10 per box.",
                    ),
                ],
                staff: &[("Jung Ha-eun", &["ko", "ru", "en"])],
            },
            Exhibitor {
                name: "Wonju Hanbang Beauty",
                region: "Wonju",
                tagline: "Korean herbal medicine meets modern skincare",
                founded: 2007,
                tags: &["cosmetics", "skincare", "herbal"],
                products: &[
                    (
                        "Ginseng Revital Cream",
                        "3304.99",
                        "Red ginseng anti-ageing cream, 50 ml.",
                    ),
                    (
                        "Mugwort Cleansing Foam",
                        "3401.30",
                        "Gentle foam with Ganghwa mugwort.",
                    ),
                ],
                staff: &[("Seo Yun-a", &["ko", "zh", "en"])],
            },
            Exhibitor {
                name: "Taebaek Clean Lab",
                region: "Taebaek",
                tagline: "Hypoallergenic cosmetics from clean highlands",
                founded: 2017,
                tags: &["cosmetics", "sensitive-skin", "vegan"],
                products: &[
                    (
                        "Cica Calming Serum",
                        "3304.99",
                        "Centella serum for sensitive skin.",
                    ),
                    (
                        "Vegan Sun Cream SPF50+",
                        "3304.99",
                        "Reef-safe mineral sunscreen.",
                    ),
                ],
                staff: &[("Oh Ji-won", &["ko", "en", "mn"])],
            },
            Exhibitor {
                name: "Samcheok Salt Spa",
                region: "Samcheok",
                tagline: "Bamboo salt body care",
                founded: 2012,
                tags: &["cosmetics", "body-care", "salt"],
                products: &[
                    (
                        "Bamboo Salt Body Scrub",
                        "3307.30",
                        "Nine-times-roasted bamboo salt scrub.",
                    ),
                    (
                        "Salt Toothpaste",
                        "3306.10",
                        "Bamboo salt toothpaste, 3-pack.",
                    ),
                ],
                staff: &[("Lim Na-rae", &["ko", "ja"])],
            },
            Exhibitor {
                name: "Inje Birch Sap Co.",
                region: "Inje",
                tagline: "Birch sap essences from the Inje birch forest",
                founded: 2016,
                tags: &["cosmetics", "skincare", "natural"],
                products: &[
                    (
                        "Birch Sap Essence",
                        "3304.99",
                        "98% birch sap first essence.",
                    ),
                    ("Birch Moisture Cream", "3304.99", "Light gel cream."),
                ],
                staff: &[("Bae Seo-hyun", &["ko", "ru"])],
            },
        ],
    },
    Hall {
        slug: "medical",
        name: "Hall C · Medical Devices & Bio-health",
        industry: "medical-devices",
        companies: &[
            Exhibitor {
                name: "Wonju MediTech",
                region: "Wonju",
                tagline: "Patient monitors from Korea's medical device cluster",
                founded: 2003,
                tags: &["medical-devices", "monitoring", "hospital"],
                products: &[
                    (
                        "Portable Patient Monitor PM-7",
                        "9018.19",
                        "ECG, SpO2, NIBP, 7-inch touch screen.",
                    ),
                    (
                        "Pulse Oximeter OX-2",
                        "9018.19",
                        "Fingertip oximeter, CE and KFDA certified.",
                    ),
                ],
                staff: &[
                    ("Kim Tae-yang", &["ko", "en", "ru"]),
                    ("Moon Ga-young", &["ko", "zh"]),
                ],
            },
            Exhibitor {
                name: "Chuncheon Bio Diagnostics",
                region: "Chuncheon",
                tagline: "Rapid diagnostic tests",
                founded: 2010,
                tags: &["medical-devices", "diagnostics", "bio"],
                products: &[
                    (
                        "Rapid Antigen Test Kit",
                        "3822.19",
                        "15-minute antigen test, 25 kits.",
                    ),
                    (
                        "HbA1c Analyzer",
                        "9027.89",
                        "Point-of-care diabetes analyzer.",
                    ),
                ],
                staff: &[("Shin Dong-wook", &["ko", "en"])],
            },
            Exhibitor {
                name: "Gangwon Rehab Robotics",
                region: "Wonju",
                tagline: "Robots that help patients walk again",
                founded: 2014,
                tags: &["medical-devices", "rehabilitation", "robotics"],
                products: &[
                    (
                        "Gait Trainer GT-3",
                        "9019.10",
                        "Robotic gait rehabilitation system.",
                    ),
                    (
                        "Hand Rehab Glove",
                        "9019.10",
                        "Soft robotic glove for stroke patients.",
                    ),
                ],
                staff: &[("Hwang Jae-min", &["ko", "en", "ja"])],
            },
            Exhibitor {
                name: "Sokcho Dental Materials",
                region: "Sokcho",
                tagline: "Implants and dental consumables",
                founded: 2006,
                tags: &["medical-devices", "dental"],
                products: &[
                    (
                        "Titanium Dental Implant",
                        "9021.29",
                        "SLA surface implant system.",
                    ),
                    (
                        "Bone Graft Granules",
                        "9021.29",
                        "Synthetic bone substitute, 0.5 g.",
                    ),
                ],
                staff: &[("Song Ji-ah", &["ko", "ru", "en"])],
            },
            Exhibitor {
                name: "Hongcheon Herbal Pharma",
                region: "Hongcheon",
                tagline: "Evidence-based herbal medicines",
                founded: 2001,
                tags: &["bio", "health-food", "herbal"],
                products: &[
                    (
                        "Red Ginseng Extract",
                        "1302.19",
                        "6-year-old red ginseng extract, 240 g.",
                    ),
                    (
                        "Omija Berry Capsules",
                        "2106.90",
                        "Schisandra berry supplement.",
                    ),
                ],
                staff: &[("Kwon Hye-rin", &["ko", "zh", "mn"])],
            },
        ],
    },
    Hall {
        slug: "auto",
        name: "Hall D · Auto Parts & Mobility",
        industry: "auto-parts",
        companies: &[
            Exhibitor {
                name: "Hoengseong E-Mobility",
                region: "Hoengseong",
                tagline: "Electric micro-vehicles and parts",
                founded: 2018,
                tags: &["auto-parts", "ev", "mobility"],
                products: &[
                    (
                        "EV Battery Pack 48V",
                        "8507.60",
                        "LFP battery pack for micro-EVs.",
                    ),
                    ("Micro EV Controller", "8504.40", "Motor controller, 5 kW."),
                ],
                staff: &[("Jang Woo-jin", &["ko", "en", "ru"])],
            },
            Exhibitor {
                name: "Wonju Brake Systems",
                region: "Wonju",
                tagline: "Brake pads and discs for every climate",
                founded: 1995,
                tags: &["auto-parts", "brakes", "aftermarket"],
                products: &[
                    (
                        "Ceramic Brake Pads",
                        "8708.30",
                        "Low-dust ceramic pads, OEM fit.",
                    ),
                    ("Vented Brake Disc", "8708.30", "Cold-climate tested discs."),
                ],
                staff: &[("Yoo Sang-hoon", &["ko", "ru"])],
            },
            Exhibitor {
                name: "Gangneung Hydrogen Parts",
                region: "Gangneung",
                tagline: "Fuel-cell components",
                founded: 2019,
                tags: &["auto-parts", "hydrogen", "energy"],
                products: &[
                    (
                        "Hydrogen Valve HV-1",
                        "8481.80",
                        "Tank valve for fuel-cell vehicles.",
                    ),
                    (
                        "Fuel Cell Stack Gasket",
                        "4016.93",
                        "Fluoro-rubber gaskets.",
                    ),
                ],
                staff: &[("Ahn Seung-woo", &["ko", "en", "ja"])],
            },
            Exhibitor {
                name: "Chuncheon Car Electronics",
                region: "Chuncheon",
                tagline: "Dashcams and driver assistance",
                founded: 2008,
                tags: &["auto-parts", "electronics", "aftermarket"],
                products: &[
                    ("4K Dashcam DC-9", "8525.89", "Front and rear 4K dashcam."),
                    (
                        "Blind Spot Sensor Kit",
                        "8512.30",
                        "Radar blind-spot warning.",
                    ),
                ],
                staff: &[("Nam Ki-young", &["ko", "en", "zh"])],
            },
            Exhibitor {
                name: "Donghae Tire Retreading",
                region: "Donghae",
                tagline: "Retreaded truck tires for cold roads",
                founded: 2000,
                tags: &["auto-parts", "tires", "trucks"],
                products: &[
                    (
                        "Winter Retread Tire 315/80R22.5",
                        "4012.12",
                        "Retreaded truck tire for snow.",
                    ),
                    ("Tread Rubber Strip", "4006.90", "Pre-cured tread rubber."),
                ],
                staff: &[("Go Eun-bi", &["ko", "ru", "mn"])],
            },
        ],
    },
    Hall {
        slug: "agri-marine",
        name: "Hall E · Smart Farming & Marine",
        industry: "agriculture",
        companies: &[
            Exhibitor {
                name: "Cheorwon Smart Farm",
                region: "Cheorwon",
                tagline: "Container farms for cold countries",
                founded: 2016,
                tags: &["agriculture", "smart-farm", "technology"],
                products: &[
                    (
                        "Container Farm CF-40",
                        "8436.80",
                        "40 ft hydroponic container farm.",
                    ),
                    (
                        "Farm Climate Controller",
                        "9032.89",
                        "IoT climate control unit.",
                    ),
                ],
                staff: &[("Ryu Jin-ho", &["ko", "en", "mn"])],
            },
            Exhibitor {
                name: "Yanggu Rice Millers",
                region: "Yanggu",
                tagline: "Rice from the cleanest DMZ fields",
                founded: 1989,
                tags: &["food", "agriculture", "rice"],
                products: &[
                    (
                        "Odae Premium Rice 10 kg",
                        "1006.30",
                        "Cheorwon Odae variety rice.",
                    ),
                    (
                        "Rice Flour",
                        "1102.90",
                        "Gluten-free wet-milled rice flour.",
                    ),
                    (
                        "Puffed Rice Crackers",
                        "1905.90",
                        "Crisp ppeongtwigi rice cakes, no sugar added.",
                    ),
                ],
                staff: &[("Cha Min-jun", &["ko", "zh"])],
            },
            Exhibitor {
                name: "Sokcho Seafood Processing",
                region: "Sokcho",
                tagline: "Pollock and squid from the East Sea",
                founded: 1992,
                tags: &["food", "seafood", "marine"],
                products: &[
                    (
                        "Dried Pollock (Hwangtae)",
                        "0305.59",
                        "Winter-dried pollock from Inje.",
                    ),
                    ("Squid Sundae", "1605.54", "Stuffed squid, frozen."),
                ],
                staff: &[("Ko Hyun-woo", &["ko", "ru", "ja"])],
            },
            Exhibitor {
                name: "Goseong Aquaculture",
                region: "Goseong",
                tagline: "Land-based salmon farming systems",
                founded: 2015,
                tags: &["marine", "aquaculture", "technology"],
                products: &[
                    (
                        "Recirculating Aquaculture System",
                        "8436.80",
                        "RAS for salmon, 50 t a year.",
                    ),
                    ("Smart Feeder", "8436.10", "Camera-guided automatic feeder."),
                ],
                staff: &[("Min Seo-jun", &["ko", "en"])],
            },
            Exhibitor {
                name: "Jeongseon Mushroom Farm",
                region: "Jeongseon",
                tagline: "Shiitake and king oyster mushrooms",
                founded: 2005,
                tags: &["food", "agriculture", "mushroom"],
                products: &[
                    (
                        "Dried Shiitake 500 g",
                        "0712.39",
                        "Oak-log shiitake, sliced.",
                    ),
                    (
                        "Mushroom Chips",
                        "2005.99",
                        "Vacuum-fried king oyster chips.",
                    ),
                ],
                staff: &[("Do Yeon-woo", &["ko", "zh", "ja"])],
            },
        ],
    },
    Hall {
        slug: "ict",
        name: "Hall F · ICT & Digital Content",
        industry: "ict",
        companies: &[
            Exhibitor {
                name: "Chuncheon AI Vision",
                region: "Chuncheon",
                tagline: "Computer vision for factories",
                founded: 2019,
                tags: &["ict", "ai", "manufacturing"],
                products: &[
                    (
                        "Defect Inspection Camera",
                        "8525.89",
                        "AI visual inspection for production lines.",
                    ),
                    ("Vision SDK License", "8523.49", "On-premise SDK, per site."),
                ],
                staff: &[("Baek Ji-hye", &["ko", "en"])],
            },
            Exhibitor {
                name: "Gangneung Game Studio",
                region: "Gangneung",
                tagline: "Casual games and webtoon IP",
                founded: 2014,
                tags: &["ict", "content", "games"],
                products: &[
                    (
                        "Webtoon Licensing",
                        "4911.99",
                        "Licensing of 30 webtoon titles.",
                    ),
                    (
                        "Mobile Puzzle Game",
                        "8523.49",
                        "Localized into 9 languages.",
                    ),
                ],
                staff: &[("Kim Ha-neul", &["ko", "ja", "zh"])],
            },
            Exhibitor {
                name: "Wonju Health Data",
                region: "Wonju",
                tagline: "Telemedicine platforms",
                founded: 2017,
                tags: &["ict", "medical-devices", "telemedicine"],
                products: &[
                    (
                        "Telemedicine Cart",
                        "9018.90",
                        "Remote consultation cart with camera.",
                    ),
                    (
                        "Clinic EMR Cloud",
                        "8523.49",
                        "Cloud medical records, SaaS.",
                    ),
                ],
                staff: &[("Jeon Soo-bin", &["ko", "en", "ru"])],
            },
            Exhibitor {
                name: "Pyeongchang VR Tours",
                region: "Pyeongchang",
                tagline: "Virtual reality tourism content",
                founded: 2018,
                tags: &["ict", "content", "tourism"],
                products: &[
                    (
                        "Olympic Venue VR Tour",
                        "8523.49",
                        "360° VR tour of the 2018 venues.",
                    ),
                    (
                        "VR Headset Rental Kit",
                        "9004.90",
                        "10 headsets with content.",
                    ),
                ],
                staff: &[("Yang Eun-ji", &["ko", "en", "zh"])],
            },
            Exhibitor {
                name: "Samcheok Drone Works",
                region: "Samcheok",
                tagline: "Drones for coast and forest monitoring",
                founded: 2016,
                tags: &["ict", "drones", "safety"],
                products: &[
                    (
                        "Forest Fire Drone",
                        "8806.22",
                        "Thermal-camera fire detection drone.",
                    ),
                    (
                        "Coast Patrol Software",
                        "8523.49",
                        "Autonomous patrol planning.",
                    ),
                ],
                staff: &[("Hong Seok-jin", &["ko", "ru", "en"])],
            },
        ],
    },
    Hall {
        slug: "energy",
        name: "Hall G · Eco & Energy",
        industry: "energy",
        companies: &[
            Exhibitor {
                name: "Donghae Solar Materials",
                region: "Donghae",
                tagline: "Silicon materials for solar cells",
                founded: 2010,
                tags: &["energy", "solar", "materials"],
                products: &[
                    ("Solar Grade Silicon", "2804.61", "6N purity polysilicon."),
                    (
                        "PV Backsheet",
                        "3920.62",
                        "Weather-resistant backsheet film.",
                    ),
                ],
                staff: &[("Seong Min-ho", &["ko", "en", "zh"])],
            },
            Exhibitor {
                name: "Taebaek Wind Power",
                region: "Taebaek",
                tagline: "Small wind turbines for cold climates",
                founded: 2012,
                tags: &["energy", "wind", "cold-climate"],
                products: &[
                    ("10 kW Wind Turbine", "8502.31", "Operates down to -40 °C."),
                    (
                        "Hybrid Power Controller",
                        "8504.40",
                        "Wind, solar and battery controller.",
                    ),
                ],
                staff: &[("Pyo Jae-hyun", &["ko", "ru", "mn"])],
            },
            Exhibitor {
                name: "Gangwon Pellet Energy",
                region: "Hongcheon",
                tagline: "Wood pellet heating",
                founded: 2009,
                tags: &["energy", "heating", "biomass"],
                products: &[
                    ("Pellet Boiler 35 kW", "8403.10", "Automatic pellet boiler."),
                    ("Wood Pellets 15 kg", "4401.31", "EN plus A1 pellets."),
                ],
                staff: &[("Gil Da-eun", &["ko", "mn", "ru"])],
            },
            Exhibitor {
                name: "Sokcho Water Tech",
                region: "Sokcho",
                tagline: "Seawater desalination",
                founded: 2011,
                tags: &["energy", "water", "environment"],
                products: &[
                    (
                        "Compact RO Desalinator",
                        "8421.21",
                        "10 m³/day reverse osmosis.",
                    ),
                    (
                        "Membrane Cleaning Kit",
                        "3402.90",
                        "Cleaning chemicals for RO.",
                    ),
                ],
                staff: &[("Byun Ho-jin", &["ko", "en"])],
            },
            Exhibitor {
                name: "Yeongwol Battery Recycling",
                region: "Yeongwol",
                tagline: "Recovering lithium from used batteries",
                founded: 2020,
                tags: &["energy", "recycling", "environment"],
                products: &[
                    (
                        "Black Mass Recovery Line",
                        "8479.89",
                        "Battery shredding and separation line.",
                    ),
                    (
                        "Recycled Lithium Carbonate",
                        "2836.91",
                        "Battery grade Li2CO3.",
                    ),
                ],
                staff: &[("Tak Yu-ri", &["ko", "en", "zh"])],
            },
        ],
    },
    Hall {
        slug: "living",
        name: "Hall H · Living, Culture & Tourism",
        industry: "consumer-goods",
        companies: &[
            Exhibitor {
                name: "Wonju Hanji Crafts",
                region: "Wonju",
                tagline: "Traditional Korean paper, made by hand",
                founded: 1997,
                tags: &["consumer-goods", "crafts", "culture"],
                products: &[
                    ("Hanji Lamp", "9405.21", "Handmade mulberry paper lamp."),
                    (
                        "Hanji Stationery Set",
                        "4817.30",
                        "Letter paper and envelopes.",
                    ),
                ],
                staff: &[("Eom Ji-soo", &["ko", "ja", "en"])],
            },
            Exhibitor {
                name: "Gangneung Ceramics",
                region: "Gangneung",
                tagline: "Celadon and white porcelain",
                founded: 2002,
                tags: &["consumer-goods", "ceramics", "culture"],
                products: &[
                    ("Celadon Tea Set", "6911.10", "Six-piece celadon tea set."),
                    (
                        "Moon Jar Small",
                        "6913.10",
                        "White porcelain moon jar, 25 cm.",
                    ),
                ],
                staff: &[("Ha Seung-ah", &["ko", "zh"])],
            },
            Exhibitor {
                name: "Pyeongchang Outdoor Gear",
                region: "Pyeongchang",
                tagline: "Winter sports equipment",
                founded: 2013,
                tags: &["consumer-goods", "sports", "winter"],
                products: &[
                    ("Heated Ski Gloves", "6116.93", "Battery-heated gloves."),
                    (
                        "Snowboard Wax Kit",
                        "3405.90",
                        "Eco wax for all temperatures.",
                    ),
                ],
                staff: &[("Ma Dong-hyun", &["ko", "ru", "en"])],
            },
            Exhibitor {
                name: "Chuncheon Kids Toys",
                region: "Chuncheon",
                tagline: "Wooden educational toys",
                founded: 2011,
                tags: &["consumer-goods", "toys", "education"],
                products: &[
                    (
                        "Hangeul Wooden Blocks",
                        "9503.00",
                        "Alphabet blocks for children.",
                    ),
                    ("Puzzle Map of Korea", "9503.00", "Wooden puzzle map."),
                ],
                staff: &[("Noh Bo-ra", &["ko", "mn", "en"])],
            },
            Exhibitor {
                name: "Gangwon Tourism Partners",
                region: "Chuncheon",
                tagline: "Inbound tours: ski, sea and temple stays",
                founded: 2006,
                tags: &["tourism", "services", "culture"],
                products: &[
                    (
                        "Winter Ski Package",
                        "9999.00",
                        "5 nights Yongpyong with transfers.",
                    ),
                    (
                        "Temple Stay Program",
                        "9999.00",
                        "Woljeongsa two-day programme.",
                    ),
                ],
                staff: &[("Cho Yeon-seo", &["ko", "ru", "zh", "en"])],
            },
        ],
    },
];

/// (name, email, company, country, time zone, languages, interests)
type Buyer = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

const BUYERS: &[Buyer] = &[
    (
        "Ivan Petrov",
        "buyer@demo.expo",
        "Primorye Trade House",
        "RU",
        "Asia/Vladivostok",
        &["ru", "en"],
        &["food", "seafood", "cosmetics"],
    ),
    (
        "Olga Smirnova",
        "olga.smirnova@demo.expo",
        "Vostok Medical Supply",
        "RU",
        "Asia/Vladivostok",
        &["ru"],
        &["medical-devices", "diagnostics"],
    ),
    (
        "Dmitri Volkov",
        "dmitri.volkov@demo.expo",
        "Moskva Auto Parts",
        "RU",
        "Europe/Moscow",
        &["ru", "en"],
        &["auto-parts", "tires", "brakes"],
    ),
    (
        "Anna Kuznetsova",
        "anna.kuznetsova@demo.expo",
        "Khabarovsk Beauty",
        "RU",
        "Asia/Vladivostok",
        &["ru"],
        &["cosmetics", "skincare"],
    ),
    (
        "Wang Wei",
        "wang.wei@demo.expo",
        "Harbin Import Co.",
        "CN",
        "Asia/Shanghai",
        &["zh", "en"],
        &["food", "health-food"],
    ),
    (
        "Li Na",
        "li.na@demo.expo",
        "Shenyang Medical Group",
        "CN",
        "Asia/Shanghai",
        &["zh"],
        &["medical-devices", "bio"],
    ),
    (
        "Zhang Min",
        "zhang.min@demo.expo",
        "Hunchun Logistics & Trade",
        "CN",
        "Asia/Shanghai",
        &["zh", "ko"],
        &["food", "seafood", "agriculture"],
    ),
    (
        "Chen Jie",
        "chen.jie@demo.expo",
        "Dalian Green Energy",
        "CN",
        "Asia/Shanghai",
        &["zh", "en"],
        &["energy", "solar", "recycling"],
    ),
    (
        "Batbayar Dorj",
        "batbayar.dorj@demo.expo",
        "Ulaanbaatar Trading LLC",
        "MN",
        "Asia/Ulaanbaatar",
        &["mn", "ru"],
        &["food", "energy", "heating"],
    ),
    (
        "Oyuntsetseg Bold",
        "oyuntsetseg.bold@demo.expo",
        "Mongol Cosmetics",
        "MN",
        "Asia/Ulaanbaatar",
        &["mn", "en"],
        &["cosmetics", "sensitive-skin"],
    ),
    (
        "Ganbold Erdene",
        "ganbold.erdene@demo.expo",
        "Erdenet Agro",
        "MN",
        "Asia/Ulaanbaatar",
        &["mn", "ru"],
        &["agriculture", "smart-farm"],
    ),
    (
        "Yuki Tanaka",
        "yuki.tanaka@demo.expo",
        "Niigata Foods",
        "JP",
        "Asia/Tokyo",
        &["ja", "en"],
        &["food", "beverage", "coffee"],
    ),
    (
        "Hiroshi Sato",
        "hiroshi.sato@demo.expo",
        "Tottori Crafts",
        "JP",
        "Asia/Tokyo",
        &["ja"],
        &["consumer-goods", "crafts", "ceramics"],
    ),
    (
        "Aiko Suzuki",
        "aiko.suzuki@demo.expo",
        "Sapporo Content Lab",
        "JP",
        "Asia/Tokyo",
        &["ja", "ko"],
        &["ict", "content", "games"],
    ),
    (
        "Emily Johnson",
        "emily.johnson@demo.expo",
        "Pacific Health Imports",
        "US",
        "America/Los_Angeles",
        &["en"],
        &["medical-devices", "telemedicine", "health-food"],
    ),
    (
        "Nguyen Van An",
        "nguyen.van.an@demo.expo",
        "Saigon Beauty Distribution",
        "VN",
        "Asia/Ho_Chi_Minh",
        &["vi", "en"],
        &["cosmetics", "skincare"],
    ),
    (
        "Aigerim Nurlanovna",
        "aigerim.n@demo.expo",
        "Almaty EV Trade",
        "KZ",
        "Asia/Almaty",
        &["kk", "ru", "en"],
        &["auto-parts", "ev", "mobility"],
    ),
    (
        "Rahul Mehta",
        "rahul.mehta@demo.expo",
        "Mumbai Agritech",
        "IN",
        "Asia/Kolkata",
        &["en", "hi"],
        &["agriculture", "aquaculture", "technology"],
    ),
    (
        "Lukas Weber",
        "lukas.weber@demo.expo",
        "Hamburg Asia Foods",
        "DE",
        "Europe/Berlin",
        &["de", "en"],
        &["food", "kimchi", "sauce"],
    ),
    (
        "Sofia Ivanova",
        "sofia.ivanova@demo.expo",
        "Novosibirsk Drone Systems",
        "RU",
        "Asia/Novosibirsk",
        &["ru", "en"],
        &["ict", "drones", "safety"],
    ),
];

/// (name, email, languages)
/// (name, email, company, country, time zone, languages, interests, registered hours ago)
type PendingBuyer = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    i64,
);

/// (name, email, role, company number, languages, sent hours ago, accepted hours ago)
type DemoInvitation = (
    &'static str,
    &'static str,
    &'static str,
    Option<i64>,
    &'static [&'static str],
    i64,
    Option<i64>,
);

/// Registrations waiting for the organizer's approval, in different languages (the people
/// desk's queue; they sign in with the demo password and see the waiting page):
/// (name, email, company, country, time zone, languages, interests, registered hours ago).
const PENDING_BUYERS: &[PendingBuyer] = &[
    (
        "Aleksandr Kuznetsov",
        "pending.ru@demo.expo",
        "Sibir Foods",
        "RU",
        "Asia/Novosibirsk",
        &["ru"],
        &["food", "snacks"],
        30,
    ),
    (
        "Batbayar Ganbold",
        "pending.mn@demo.expo",
        "Khan Trade LLC",
        "MN",
        "Asia/Ulaanbaatar",
        &["mn", "ru"],
        &["cosmetics"],
        20,
    ),
    (
        "Li Wei",
        "pending.zh@demo.expo",
        "Harbin Import Co.",
        "CN",
        "Asia/Shanghai",
        &["zh"],
        &["auto-parts", "tires"],
        8,
    ),
    (
        "Tanaka Yui",
        "pending.ja@demo.expo",
        "Osaka Select",
        "JP",
        "Asia/Tokyo",
        &["ja", "en"],
        &["skincare"],
        3,
    ),
];

/// Invitations, for the people desk: (name, email, role, company number (1-based) for staff,
/// languages, sent hours ago, accepted hours ago). Nobody holds their links: the demo's
/// accounts sign in with the demo password.
const DEMO_INVITATIONS: &[DemoInvitation] = &[
    (
        "Kim Natalia",
        "interpreter@demo.expo",
        "interpreter",
        None,
        &["ko", "ru", "en"],
        96,
        Some(90),
    ),
    (
        "Enkhjin Dorj",
        "enkhjin.dorj@demo.expo",
        "interpreter",
        None,
        &["mn", "ko"],
        26,
        None,
    ),
    (
        "Yoon Seo-yeon",
        "yoon.seoyeon@demo.expo",
        "exhibitor",
        Some(1),
        &["ko", "en"],
        5,
        None,
    ),
];

async fn seed_people_desk(
    tx: &mut sqlx::Transaction<'_, Any>,
    phc: &str,
    now: i64,
) -> anyhow::Result<()> {
    const HOUR: i64 = 3600 * 1000;
    for (name, email, company, country, tz, languages, interests, ago) in PENDING_BUYERS {
        sqlx::query(
            "insert into users (email, name, role, status, password_hash, buyer_company, country, \
             timezone, languages, interests, share_contact, created_ms) \
             values ($1, $2, 'buyer', 'pending', $3, $4, $5, $6, $7, $8, 1, $9)",
        )
        .bind(*email)
        .bind(*name)
        .bind(phc)
        .bind(*company)
        .bind(*country)
        .bind(*tz)
        .bind(encode_list(&strings(languages)))
        .bind(encode_list(&strings(interests)))
        .bind(now - ago * HOUR)
        .execute(&mut **tx)
        .await
        .with_context(|| format!("pending buyer {email}"))?;
    }
    let organizer: Option<i64> =
        sqlx::query_scalar("select min(id) from users where role = 'organizer'")
            .fetch_one(&mut **tx)
            .await?;
    for (name, email, role, company_no, languages, sent, accepted) in DEMO_INVITATIONS {
        let company_id: Option<i64> = match company_no {
            Some(no) => Some(
                sqlx::query_scalar("select id from companies order by id limit 1 offset $1")
                    .bind(no - 1)
                    .fetch_one(&mut **tx)
                    .await?,
            ),
            None => None,
        };
        let languages = strings(languages);
        let (_, hash) = crate::auth::password::new_token();
        let sent_ms = now - sent * HOUR;
        sqlx::query(
            "insert into invitations (token_hash, email, name, role, company_id, company_admin, \
             languages, invited_by, created_ms, expires_ms, accepted_ms, language, sent_ms) \
             values ($1, $2, $3, $4, $5, 0, $6, $7, $8, $9, $10, $11, $8)",
        )
        .bind(hash)
        .bind(*email)
        .bind(*name)
        .bind(*role)
        .bind(company_id)
        .bind(encode_list(&languages))
        .bind(organizer)
        .bind(sent_ms)
        .bind(sent_ms + crate::auth::routes::INVITATION_TTL_MS)
        .bind(accepted.map(|a| now - a * HOUR))
        .bind(crate::mail::language_of_list(&languages))
        .execute(&mut **tx)
        .await
        .with_context(|| format!("invitation of {email}"))?;
    }
    Ok(())
}

const INTERPRETERS: &[(&str, &str, &[&str])] = &[
    ("Kim Natalia", "interpreter@demo.expo", &["ko", "ru", "en"]),
    ("Liu Mei", "liu.mei@demo.expo", &["ko", "zh"]),
    (
        "Sarnai Tsend",
        "sarnai.tsend@demo.expo",
        &["ko", "mn", "ru"],
    ),
    ("Sato Emi", "sato.emi@demo.expo", &["ko", "ja"]),
    ("Pak Sergei", "pak.sergei@demo.expo", &["ko", "ru"]),
    ("Jin Hua", "jin.hua@demo.expo", &["ko", "zh", "en"]),
];

/// Korean names and taglines for some booths, so the demo shows texts in the viewer's language.
const KOREAN: &[(&str, &str, &str)] = &[
    (
        "Seorak Natural Foods",
        "설악내추럴푸드",
        "산나물과 약초를 전통 방식으로 말립니다",
    ),
    (
        "Pyeongchang Highland Greens",
        "평창고랭지채소",
        "해발 700미터에서 자란 배추와 감자",
    ),
    (
        "Gangneung Coffee Roasters",
        "강릉커피로스터스",
        "바다 옆에서 볶은 커피의 도시 강릉",
    ),
    (
        "Donghae Deep Sea Cosmetics",
        "동해해양심층수화장품",
        "동해 해양심층수로 만든 스킨케어",
    ),
    (
        "Wonju MediTech",
        "원주메디텍",
        "의료기기 클러스터에서 만든 환자 모니터",
    ),
    (
        "Hoengseong E-Mobility",
        "횡성이모빌리티",
        "초소형 전기차와 부품",
    ),
    (
        "Cheorwon Smart Farm",
        "철원스마트팜",
        "추운 나라를 위한 컨테이너 농장",
    ),
    (
        "Chuncheon AI Vision",
        "춘천AI비전",
        "공장을 위한 컴퓨터 비전",
    ),
    (
        "Taebaek Wind Power",
        "태백풍력",
        "추운 기후를 위한 소형 풍력 발전기",
    ),
    (
        "Wonju Hanji Crafts",
        "원주한지공예",
        "손으로 만든 전통 한지",
    ),
];

/// Typical certifications by the first tag of a company.
fn certifications(tags: &[&str]) -> Vec<String> {
    let list: &[&str] = match tags.first().copied() {
        Some("food") => &["HACCP", "Halal"],
        Some("cosmetics") => &["CPNP", "ISO 22716"],
        Some("medical-devices") => &["CE", "ISO 13485", "KFDA"],
        Some("bio") => &["GMP"],
        Some("auto-parts") => &["IATF 16949"],
        Some("energy") => &["IEC 61400", "CE"],
        _ => &["ISO 9001"],
    };
    strings(list)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn slug(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// Loads the demo fair unless it is there already (then only makes sure the README's video
/// meeting is open now). Returns true when it loaded it now.
pub async fn load(store: &Store) -> anyhow::Result<bool> {
    if store.meta("demo_loaded").await?.is_some() {
        live_meeting_now(store).await?;
        return Ok(false);
    }
    // One hash for every demo account: they share a published password anyway.
    let phc = password::hash(DEMO_PASSWORD.to_string()).await?;
    let now = now_ms();
    let mut tx = store.pool().begin().await?;
    let claimed = sqlx::query(
        "insert into meta (key, value) values ('demo_loaded', $1) on conflict (key) do nothing",
    )
    .bind(now.to_string())
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "insert into meta (key, value) values ('fair_name', $1) \
         on conflict (key) do update set value = excluded.value",
    )
    .bind("GTI Expo Gangwon 2026 (demo)")
    .execute(&mut *tx)
    .await?;
    let mut company_no = 0;
    for (position, hall) in HALLS.iter().enumerate() {
        let hall_id: i64 = sqlx::query_scalar(
            "insert into halls (slug, name, industry, position) values ($1, $2, $3, $4) returning id",
        )
        .bind(hall.slug)
        .bind(hall.name)
        .bind(hall.industry)
        .bind(position as i64)
        .fetch_one(&mut *tx)
        .await
        .with_context(|| format!("hall {}", hall.slug))?;
        for exhibitor in hall.companies {
            company_no += 1;
            let company_id = insert_exhibitor(
                &mut tx,
                exhibitor,
                (hall_id, hall.industry),
                company_no,
                &phc,
                now,
            )
            .await?;
            crate::booths::reindex(&mut tx, store.kind(), company_id).await?;
        }
    }
    for (name, email, company, country, tz, languages, interests) in BUYERS {
        sqlx::query(
            "insert into users (email, name, role, status, password_hash, buyer_company, country, \
             timezone, languages, interests, share_contact, created_ms) \
             values ($1, $2, 'buyer', 'active', $3, $4, $5, $6, $7, $8, 1, $9)",
        )
        .bind(*email)
        .bind(*name)
        .bind(&phc)
        .bind(*company)
        .bind(*country)
        .bind(*tz)
        .bind(encode_list(&strings(languages)))
        .bind(encode_list(&strings(interests)))
        .bind(now)
        .execute(&mut *tx)
        .await
        .with_context(|| format!("buyer {email}"))?;
    }
    for (name, email, languages) in INTERPRETERS {
        sqlx::query(
            "insert into users (email, name, role, status, password_hash, country, timezone, \
             languages, created_ms) values ($1, $2, 'interpreter', 'active', $3, 'KR', 'Asia/Seoul', $4, $5)",
        )
        .bind(*email)
        .bind(*name)
        .bind(&phc)
        .bind(encode_list(&strings(languages)))
        .bind(now)
        .execute(&mut *tx)
        .await
        .with_context(|| format!("interpreter {email}"))?;
    }
    seed_people_desk(&mut tx, &phc, now).await?;
    seed_chat(&mut tx, now).await?;
    seed_meetings(&mut tx, now).await?;
    seed_attendance(&mut tx, now).await?;
    seed_matchmaking(&mut tx).await?;
    tx.commit().await?;
    tracing::info!(
        halls = HALLS.len(),
        companies = company_no,
        buyers = BUYERS.len(),
        "demo fair loaded"
    );
    Ok(true)
}

/// Matchmaking marks (buyer email, hall slug of the company, buyer's mark, company's mark):
/// the company is the hall's first.
const MARKS: &[(&str, &str, Option<MarkLevel>, Option<MarkLevel>)] = &[
    (
        "buyer@demo.expo",
        "food",
        Some(MarkLevel::MustMeet),
        Some(MarkLevel::WouldMeet),
    ),
    (
        "olga.smirnova@demo.expo",
        "food",
        Some(MarkLevel::MustMeet),
        Some(MarkLevel::MustMeet),
    ),
    (
        "olga.smirnova@demo.expo",
        "medical",
        Some(MarkLevel::MustMeet),
        None,
    ),
    (
        "dmitri.volkov@demo.expo",
        "ict",
        Some(MarkLevel::WouldMeet),
        Some(MarkLevel::MustMeet),
    ),
    (
        "wang.wei@demo.expo",
        "cosmetics",
        None,
        Some(MarkLevel::WouldMeet),
    ),
    (
        "batbayar.dorj@demo.expo",
        "energy",
        Some(MarkLevel::MustMeet),
        None,
    ),
    (
        "dmitri.volkov@demo.expo",
        "cosmetics",
        Some(MarkLevel::NoThanks),
        None,
    ),
];

/// Two-way interest and a few accepted pairs, through the matchmaking module's own writers,
/// so the organizer's matchmaking page starts with something to schedule.
async fn seed_matchmaking(tx: &mut sqlx::Transaction<'_, Any>) -> anyhow::Result<()> {
    use crate::matching::{marks::write_mark, pairs::write_pair};
    use expo_schema::matchmaking::{MarkSide, ModeWish, PairInput, Priority};
    let organizer: i64 = sqlx::query_scalar("select min(id) from users where role = 'organizer'")
        .fetch_optional(&mut **tx)
        .await?
        .unwrap_or(0);
    for (email, hall, buyer_mark, company_mark) in MARKS {
        let buyer: i64 = sqlx::query_scalar("select id from users where email = $1")
            .bind(*email)
            .fetch_one(&mut **tx)
            .await
            .with_context(|| format!("marks of {email}"))?;
        let company: i64 = sqlx::query_scalar(
            "select min(c.id) from companies c join halls h on h.id = c.hall_id where h.slug = $1",
        )
        .bind(*hall)
        .fetch_one(&mut **tx)
        .await?;
        let staff: i64 = sqlx::query_scalar(
            "select min(id) from users where company_id = $1 and role = 'exhibitor'",
        )
        .bind(company)
        .fetch_one(&mut **tx)
        .await?;
        if buyer_mark.is_some() {
            write_mark(tx, buyer, company, MarkSide::Buyer, *buyer_mark, buyer).await?;
        }
        if company_mark.is_some() {
            write_mark(tx, buyer, company, MarkSide::Company, *company_mark, staff).await?;
        }
        let wanted = [*buyer_mark, *company_mark];
        if wanted.contains(&Some(MarkLevel::NoThanks)) || organizer == 0 {
            continue;
        }
        let must = wanted.contains(&Some(MarkLevel::MustMeet));
        write_pair(
            tx,
            &PairInput {
                buyer_id: buyer,
                company_id: company,
                priority: if must {
                    Priority::MustMeet
                } else {
                    Priority::WouldMeet
                },
                mode: ModeWish::Either,
            },
        )
        .await?;
    }
    Ok(())
}

/// What a demo chat message says: free text, or a phrasebook phrase as the sender picked it
/// in their language (`schema/data/phrases.json`).
enum Said {
    Text(&'static str),
    Phrase {
        lang: &'static str,
        id: &'static str,
        params: &'static [(&'static str, &'static str)],
    },
}

/// (room kind, sender email or "admin", what they said)
const CHAT: &[(&str, &str, Said)] = &[
    ("fair", "admin", Said::Text("Welcome to GTI Expo Gangwon! Consultations run 09:00-18:00 Korea time; interpreters for Russian, Chinese, Mongolian and Japanese are on call.")),
    ("booth", "wang.wei@demo.expo", Said::Text("Is the highland kimchi available in 10 kg tubs for restaurants?")),
    ("booth", "staff1@pyeongchang-highland-greens.demo", Said::Text("Yes: 10 kg tubs, refrigerated container from Donghae, 12 days to Dalian.")),
    ("booth", "lukas.weber@demo.expo", Said::Text("Do you have a vegan kimchi without fish sauce?")),
    ("booth", "staff1@pyeongchang-highland-greens.demo", Said::Text("We do, certified vegan; the sheet is in our brochure.")),
    ("private", "olga.smirnova@demo.expo", Said::Text("Hello! We are interested in pine needle tea for pharmacies in Primorye.")),
    ("private", "olga.smirnova@demo.expo", Said::Phrase { lang: "ru", id: "ask_samples", params: &[] }),
    ("private", "exhibitor@demo.expo", Said::Phrase { lang: "ko", id: "samples_free", params: &[] }),
    ("private", "exhibitor@demo.expo", Said::Text("Thank you, Olga. Our minimum is 1 pallet; we can offer USD 4.20 FOB Donghae.")),
    ("private", "olga.smirnova@demo.expo", Said::Phrase { lang: "ru", id: "ask_lead_time", params: &[] }),
    ("private", "exhibitor@demo.expo", Said::Phrase { lang: "ko", id: "lead_time_is", params: &[("days", "14")] }),
    ("private", "olga.smirnova@demo.expo", Said::Text("Good. Can we discuss it in a video meeting tomorrow?")),
];

/// A little chat history, so the first look at the fair is not an empty room: a fair
/// announcement, questions in the second booth, a private conversation of the first
/// booth (whose admin is the README's exhibitor), and one missed talk-to-staff request
/// waiting in the first booth's follow-up list.
async fn seed_chat(tx: &mut sqlx::Transaction<'_, Any>, now: i64) -> anyhow::Result<()> {
    let first_company: i64 = sqlx::query_scalar("select min(id) from companies")
        .fetch_one(&mut **tx)
        .await?;
    let second_company: i64 = sqlx::query_scalar("select min(id) from companies where id > $1")
        .bind(first_company)
        .fetch_one(&mut **tx)
        .await?;
    let buyer: i64 =
        sqlx::query_scalar("select id from users where email = 'olga.smirnova@demo.expo'")
            .fetch_one(&mut **tx)
            .await?;
    let organizer: i64 = sqlx::query_scalar("select min(id) from users where role = 'organizer'")
        .fetch_one(&mut **tx)
        .await?;
    let mut rooms: Vec<(&str, i64)> = Vec::new();
    for (kind, target, company, buyer_id) in [
        ("fair", "fair".to_string(), None, None),
        (
            "booth",
            format!("booth:{second_company}"),
            Some(second_company),
            None,
        ),
        (
            "private",
            format!("private:{first_company}:{buyer}"),
            Some(first_company),
            Some(buyer),
        ),
    ] {
        let id: i64 = sqlx::query_scalar(
            "insert into chat_rooms (kind, target, company_id, buyer_id, created_ms) \
             values ($1, $2, $3, $4, $5) returning id",
        )
        .bind(kind)
        .bind(&target)
        .bind(company)
        .bind(buyer_id)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
        rooms.push((kind, id));
    }
    for (n, (kind, sender, said)) in CHAT.iter().enumerate() {
        let (text, phrase) = match said {
            Said::Text(text) => (text.to_string(), None),
            Said::Phrase { lang, id, params } => {
                let phrase = expo_schema::PhraseRef {
                    id: id.to_string(),
                    params: params
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                };
                let book = expo_schema::phrases::builtin();
                book.check(&phrase)
                    .map_err(|e| anyhow::anyhow!("demo phrase: {e}"))?;
                let text = book.render(&phrase, lang).unwrap_or_default();
                (text, Some(serde_json::to_string(&phrase)?))
            }
        };
        let room = rooms
            .iter()
            .find(|(k, _)| k == kind)
            .map(|(_, id)| *id)
            .unwrap_or(0);
        let sender_id: i64 = if *sender == "admin" {
            organizer
        } else {
            sqlx::query_scalar("select id from users where email = $1")
                .bind(*sender)
                .fetch_one(&mut **tx)
                .await
                .with_context(|| format!("chat sender {sender}"))?
        };
        let seq: i64 = sqlx::query_scalar(
            "update chat_rooms set last_seq = last_seq + 1 where id = $1 returning last_seq",
        )
        .bind(room)
        .fetch_one(&mut **tx)
        .await?;
        // Minutes apart, ending an hour before the load.
        let at = now - 3_600_000 - (CHAT.len() - n) as i64 * 240_000;
        sqlx::query(
            "insert into chat_messages (room_id, seq, sender_id, body, client_key, phrase, \
             created_ms) values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(room)
        .bind(seq)
        .bind(sender_id)
        .bind(text)
        .bind(format!("demo-{n}"))
        .bind(phrase)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    }
    let waiting: i64 =
        sqlx::query_scalar("select id from users where email = 'batbayar.dorj@demo.expo'")
            .fetch_one(&mut **tx)
            .await?;
    sqlx::query(
        "insert into talk_requests (company_id, buyer_id, state, created_ms, expires_ms, resolved_ms) \
         values ($1, $2, 'missed', $3, $4, $4)",
    )
    .bind(first_company)
    .bind(waiting)
    .bind(now - 7_200_000)
    .bind(now - 7_110_000)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The meeting grid: yesterday (meetings held, with outcomes and a no-show) and the next two
/// fair days (09:00-18:00 Korea time, lunch 12:00-13:00, 30-minute slots); every booth open
/// for meetings with two seats, six meeting tables per hall; and the README's buyer and
/// exhibitor with a video meeting that is open right now (interpreter included), a confirmed
/// onsite one, a request waiting for the exhibitor and one the exhibitor sent to a buyer.
async fn seed_meetings(tx: &mut sqlx::Transaction<'_, Any>, now: i64) -> anyhow::Result<()> {
    use crate::meetings::routes::grid_slots;
    use expo_schema::api::{Break, GridInput};
    let today = chrono::DateTime::from_timestamp_millis(now).unwrap_or_default();
    let mut days: Vec<Vec<(i64, i64, i64)>> = Vec::new();
    for offset in [-1, 1, 2] {
        let day = (today + chrono::Duration::days(offset))
            .format("%Y-%m-%d")
            .to_string();
        let input = GridInput {
            day: day.clone(),
            timezone: "Asia/Seoul".into(),
            start: "09:00".into(),
            end: "18:00".into(),
            slot_minutes: 30,
            breaks: vec![Break {
                start: "12:00".into(),
                end: "13:00".into(),
            }],
        };
        let slots = grid_slots(&input).map_err(|e| anyhow::anyhow!("demo grid: {}", e.body()))?;
        let mut ids = Vec::new();
        for (starts, ends) in slots {
            let id: i64 = sqlx::query_scalar(
                "insert into meeting_slots (day, starts_ms, ends_ms) values ($1, $2, $3) returning id",
            )
            .bind(&day)
            .bind(starts)
            .bind(ends)
            .fetch_one(&mut **tx)
            .await?;
            ids.push((id, starts, ends));
        }
        days.push(ids);
    }
    // The slot that is on now: from the last five-minute mark, an hour long.
    let live_start = now - now % 300_000;
    let live_slot: i64 = sqlx::query_scalar(
        "insert into meeting_slots (day, starts_ms, ends_ms) values ($1, $2, $3) returning id",
    )
    .bind(today.format("%Y-%m-%d").to_string())
    .bind(live_start)
    .bind(live_start + 3_600_000)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("update companies set meeting_seats = 2")
        .execute(&mut **tx)
        .await?;
    sqlx::query("insert into company_slots (company_id, slot_id) select c.id, s.id from companies c, meeting_slots s")
        .execute(&mut **tx)
        .await?;
    let halls: Vec<i64> = sqlx::query_scalar("select id from halls order by id")
        .fetch_all(&mut **tx)
        .await?;
    for hall in halls {
        for number in 1..=6 {
            sqlx::query("insert into meeting_tables (hall_id, number, code) values ($1, $2, $3)")
                .bind(hall)
                .bind(number)
                .bind(password::new_token().0)
                .execute(&mut **tx)
                .await?;
        }
    }
    let id_of = |email: &'static str| {
        sqlx::query_scalar::<_, i64>("select id from users where email = $1").bind(email)
    };
    let companies: Vec<i64> = sqlx::query_scalar("select id from companies order by id")
        .fetch_all(&mut **tx)
        .await?;
    let buyers: Vec<i64> = sqlx::query_scalar(
        "select id from users where role = 'buyer' and status = 'active' order by id",
    )
    .fetch_all(&mut **tx)
    .await?;
    let company = companies[0];
    let ivan = id_of("buyer@demo.expo").fetch_one(&mut **tx).await?;
    let olga = id_of("olga.smirnova@demo.expo")
        .fetch_one(&mut **tx)
        .await?;
    let staff = id_of("exhibitor@demo.expo").fetch_one(&mut **tx).await?;
    let natalia = id_of("interpreter@demo.expo").fetch_one(&mut **tx).await?;
    let table: i64 = sqlx::query_scalar(
        "select t.id from meeting_tables t join companies c on c.hall_id = t.hall_id \
         where c.id = $1 and t.number = 1",
    )
    .bind(company)
    .fetch_one(&mut **tx)
    .await?;
    let (day1, yesterday) = (&days[1], &days[0]);
    struct Seed<'a> {
        company: i64,
        buyer: i64,
        staff: Option<i64>,
        interpreter: Option<i64>,
        slot: (i64, i64, i64),
        mode: &'a str,
        state: &'a str,
        awaiting: &'a str,
        message: &'a str,
        languages: &'a str,
        table: Option<i64>,
        requested_by: i64,
    }
    let mut seeds = vec![
        Seed {
            company,
            buyer: ivan,
            staff: Some(staff),
            interpreter: Some(natalia),
            slot: (live_slot, live_start, live_start + 3_600_000),
            mode: "online",
            state: "confirmed",
            awaiting: "company",
            message:
                "Video call about dried gondre: prices for 2 pallets, shelf life, Russian labels",
            languages: r#"["ko","ru"]"#,
            table: None,
            requested_by: ivan,
        },
        Seed {
            company,
            buyer: ivan,
            staff: Some(staff),
            interpreter: None,
            slot: day1[2],
            mode: "onsite",
            state: "confirmed",
            awaiting: "company",
            message: "Tasting at the fair: bring samples of the new harvest",
            languages: "[]",
            table: Some(table),
            requested_by: ivan,
        },
        Seed {
            company,
            buyer: olga,
            staff: None,
            interpreter: None,
            slot: day1[4],
            mode: "online",
            state: "requested",
            awaiting: "company",
            message: "Pine needle tea for pharmacies",
            languages: r#"["ru"]"#,
            table: None,
            requested_by: olga,
        },
        Seed {
            company,
            buyer: buyers[buyers.len() - 1],
            staff: Some(staff),
            interpreter: None,
            slot: day1[6],
            mode: "online",
            state: "requested",
            awaiting: "buyer",
            message: "We saw you visited our booth: shall we talk about volumes?",
            languages: "[]",
            table: None,
            requested_by: staff,
        },
    ];
    // Yesterday's consultations: held, with outcomes (one no-show), across companies.
    for k in 0..12 {
        let buyer = buyers[(k * 3) % buyers.len()];
        if buyer == ivan {
            continue;
        }
        seeds.push(Seed {
            company: companies[(k * 5) % companies.len()],
            buyer,
            staff: None,
            interpreter: (k % 4 == 0).then_some(natalia),
            slot: yesterday[k],
            mode: if k % 3 == 0 { "onsite" } else { "online" },
            state: "confirmed",
            awaiting: "company",
            message: "Consultation",
            languages: if k % 4 == 0 { r#"["ru"]"# } else { "[]" },
            table: None,
            requested_by: buyer,
        });
    }
    for (n, seed) in seeds.iter().enumerate() {
        let (slot, starts, ends) = seed.slot;
        let staff_id = match seed.staff {
            Some(id) => Some(id),
            None if seed.state == "confirmed" => {
                sqlx::query_scalar(
                    "select min(id) from users where role = 'exhibitor' and company_id = $1",
                )
                .bind(seed.company)
                .fetch_one(&mut **tx)
                .await?
            }
            None => None,
        };
        let id: i64 = sqlx::query_scalar(
            "insert into meetings (company_id, buyer_id, staff_id, interpreter_id, slot_id, seat, \
             starts_ms, ends_ms, mode, state, message, requested_by, created_ms, updated_ms, \
             expires_ms, awaiting, interpreter_languages, table_id) \
             values ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14, $15, $16) \
             returning id",
        )
        .bind(seed.company)
        .bind(seed.buyer)
        .bind(staff_id)
        .bind(seed.interpreter)
        .bind(slot)
        .bind(starts)
        .bind(ends)
        .bind(seed.mode)
        .bind(seed.state)
        .bind(seed.message)
        .bind(seed.requested_by)
        .bind(now.min(starts) - 86_400_000)
        .bind(starts.min(now + 48 * 3_600_000))
        .bind(seed.awaiting)
        .bind(seed.languages)
        .bind(seed.table)
        .fetch_one(&mut **tx)
        .await?;
        if ends <= now {
            // Held yesterday: both checked in (but one buyer never came), an outcome recorded.
            let no_show = n % 7 == 6;
            let k = n as i64;
            sqlx::query(
                "update meetings set buyer_checkin_ms = $1, company_checkin_ms = $2, closed_ms = $3, \
                 buyer_no_show = $4, company_no_show = 0, buyer_says_held = $5, company_says_held = $5, \
                 consult_usd = $6, contract_usd = $7, mou_signed = $8, samples_requested = $9, \
                 outcome_notes = $10, rating = $11, outcome_ms = $3 where id = $12",
            )
            .bind((!no_show).then_some(starts + 60_000))
            .bind(starts - 120_000)
            .bind(ends)
            .bind(i64::from(no_show))
            .bind(i64::from(!no_show))
            .bind(if no_show { 0 } else { 20_000 + k * 7_500 })
            .bind(if no_show { 0 } else { 80_000 + k * 40_000 })
            .bind(i64::from(!no_show && k % 3 == 1))
            .bind(i64::from(!no_show && k % 2 == 0))
            .bind(if no_show { "Buyer did not come" } else { "Good fit; price list sent" })
            .bind(if no_show { 1 } else { 3 + k % 3 })
            .bind(id)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// A restarted demo keeps its data, but its video meeting of "now" has long ended: give the
/// README's buyer and exhibitor (with the interpreter) a fresh one, open for the next hour,
/// unless one is open already. Two nodes starting at once cannot both add one: the buyer
/// cannot be in two overlapping meetings (the Postgres constraint refuses the second, which is
/// then ignored).
async fn live_meeting_now(store: &Store) -> anyhow::Result<()> {
    let now = now_ms();
    let id_of = |email: &'static str| {
        sqlx::query_scalar::<_, i64>("select id from users where email = $1").bind(email)
    };
    let (Some(ivan), Some(staff), Some(natalia)) = (
        id_of("buyer@demo.expo")
            .fetch_optional(store.pool())
            .await?,
        id_of("exhibitor@demo.expo")
            .fetch_optional(store.pool())
            .await?,
        id_of("interpreter@demo.expo")
            .fetch_optional(store.pool())
            .await?,
    ) else {
        return Ok(());
    };
    let company: i64 = sqlx::query_scalar("select company_id from users where id = $1")
        .bind(staff)
        .fetch_one(store.pool())
        .await?;
    let start = now - now % 300_000;
    let day = chrono::DateTime::from_timestamp_millis(now)
        .unwrap_or_default()
        .with_timezone(&chrono_tz::Asia::Seoul)
        .format("%Y-%m-%d")
        .to_string();
    let mut tx = store.pool().begin().await?;
    // The booking lock: two nodes starting at once check and add one after the other.
    crate::store::dialect::lock_bookings(&mut tx, store.kind()).await?;
    let busy: i64 = sqlx::query_scalar(
        "select count(*) from meetings where (buyer_id = $1 or staff_id = $2 or interpreter_id = $3) \
         and state in ('requested', 'confirmed') and starts_ms < $4 and ends_ms > $5",
    )
    .bind(ivan)
    .bind(staff)
    .bind(natalia)
    .bind(start + 3_600_000)
    .bind(start)
    .fetch_one(&mut *tx)
    .await?;
    if busy > 0 {
        // Open already (or the people are busy then): nothing to add.
        return Ok(());
    }
    let slot: i64 = sqlx::query_scalar(
        "insert into meeting_slots (day, starts_ms, ends_ms) values ($1, $2, $3) \
         on conflict (starts_ms, ends_ms) do update set day = excluded.day returning id",
    )
    .bind(&day)
    .bind(start)
    .bind(start + 3_600_000)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "insert into company_slots (company_id, slot_id) values ($1, $2) on conflict do nothing",
    )
    .bind(company)
    .bind(slot)
    .execute(&mut *tx)
    .await?;
    let added = sqlx::query(
        "insert into meetings (company_id, buyer_id, staff_id, interpreter_id, slot_id, seat, \
         starts_ms, ends_ms, mode, state, message, requested_by, created_ms, updated_ms, \
         expires_ms, awaiting, interpreter_languages) \
         values ($1, $2, $3, $4, $5, 1, $6, $7, 'online', 'confirmed', $8, $2, $9, $9, $6, 'company', '[\"ko\",\"ru\"]')",
    )
    .bind(company)
    .bind(ivan)
    .bind(staff)
    .bind(natalia)
    .bind(slot)
    .bind(start)
    .bind(start + 3_600_000)
    .bind("Video call about dried gondre: prices for 2 pallets, shelf life, Russian labels")
    .bind(now)
    .execute(&mut *tx)
    .await;
    match added {
        Ok(_) => tx.commit().await?,
        // Another node added it first.
        Err(e) if crate::meetings::place::exclusion(&e).is_some() => tx.rollback().await?,
        Err(e) => return Err(e.into()),
    }
    tracing::info!("demo: a video meeting of the README's buyer and exhibitor is open now");
    Ok(())
}

/// Yesterday's attendance, so the organizers' reports have a day to show: every buyer online
/// for a stretch of the fair's hours (a few also onsite, badges scanned at the entrance and at
/// booths), exhibitor staff online through the day, and booth visits with dwell times.
async fn seed_attendance(tx: &mut sqlx::Transaction<'_, Any>, now: i64) -> anyhow::Result<()> {
    const HOUR: i64 = 3_600_000;
    // Yesterday 09:00 in Seoul.
    let seoul = chrono_tz::Asia::Seoul;
    let yesterday = chrono::DateTime::from_timestamp_millis(now - 24 * HOUR)
        .unwrap_or_default()
        .with_timezone(&seoul)
        .date_naive();
    let opening = chrono::TimeZone::from_local_datetime(
        &seoul,
        &yesterday.and_hms_opt(9, 0, 0).unwrap_or_default(),
    )
    .earliest()
    .map(|t| t.timestamp_millis())
    .unwrap_or(now - 24 * HOUR);
    let buyers: Vec<(i64, Option<String>)> = sqlx::query_as(
        "select id, country from users where role = 'buyer' and status = 'active' order by id",
    )
    .fetch_all(&mut **tx)
    .await?;
    let staff: Vec<(i64, Option<String>)> =
        sqlx::query_as("select id, country from users where role = 'exhibitor' order by id")
            .fetch_all(&mut **tx)
            .await?;
    let companies: Vec<i64> = sqlx::query_scalar("select id from companies order by id")
        .fetch_all(&mut **tx)
        .await?;
    let admin: Option<i64> =
        sqlx::query_scalar("select min(id) from users where role = 'organizer'")
            .fetch_one(&mut **tx)
            .await?;
    let session =
        |user: i64, role: &'static str, country: Option<String>, n: usize, from: i64, to: i64| {
            sqlx::query(
            "insert into online_sessions (user_id, role, country, node, conn_id, connected_ms, \
             disconnected_ms, ended) values ($1, $2, $3, 'node-demo', $4, $5, $6, 'closed')",
        )
        .bind(user)
        .bind(role)
        .bind(country)
        .bind(format!("node-demo-{n}"))
        .bind(from)
        .bind(to)
        };
    let mut n = 0;
    for (k, (id, country)) in staff.iter().enumerate() {
        n += 1;
        let from = opening + (k as i64 % 4) * 15 * 60_000;
        session(*id, "exhibitor", country.clone(), n, from, from + 7 * HOUR)
            .execute(&mut **tx)
            .await?;
    }
    for (k, (id, country)) in buyers.iter().enumerate() {
        let k = k as i64;
        // Two sittings each, spread over the day (the concurrency curve peaks around 11:00
        // and 15:00).
        for (start, hours) in [(1 + k % 3, 1 + k % 2), (5 + k % 2, 1)] {
            n += 1;
            let from = opening + start * HOUR + (k % 4) * 10 * 60_000;
            session(*id, "buyer", country.clone(), n, from, from + hours * HOUR)
                .execute(&mut **tx)
                .await?;
        }
        for visit in 0..3 {
            let company = companies[((k * 7 + visit * 3) as usize) % companies.len()];
            let entered = opening + (1 + k % 3) * HOUR + visit * 12 * 60_000;
            sqlx::query(
                "insert into booth_visits (company_id, user_id, conn_id, entered_ms, left_ms) \
                 values ($1, $2, $3, $4, $5)",
            )
            .bind(company)
            .bind(id)
            .bind(format!("node-demo-v{k}-{visit}"))
            .bind(entered)
            .bind(entered + (3 + (k + visit) % 9) * 60_000)
            .execute(&mut **tx)
            .await?;
        }
        // A third of the buyers came to the hall as well: badge scanned at the entrance and
        // at one booth (an onsite visit and a lead).
        if k % 3 == 0 {
            let at = opening + 30 * 60_000 + k * 60_000;
            sqlx::query(
                "insert into onsite_checkins (user_id, place, company_id, scanned_by, at_ms) \
                 values ($1, 'entrance', null, $2, $3)",
            )
            .bind(id)
            .bind(admin)
            .bind(at)
            .execute(&mut **tx)
            .await?;
            let company = companies[(k as usize * 5) % companies.len()];
            let booth_at = at + 2 * HOUR;
            let checkin: i64 = sqlx::query_scalar(
                "insert into onsite_checkins (user_id, place, company_id, scanned_by, at_ms) \
                 values ($1, 'booth', $2, null, $3) returning id",
            )
            .bind(id)
            .bind(company)
            .bind(booth_at)
            .fetch_one(&mut **tx)
            .await?;
            sqlx::query(
                "insert into booth_visits (company_id, user_id, conn_id, entered_ms, left_ms, source) \
                 values ($1, $2, $3, $4, $4, 'onsite')",
            )
            .bind(company)
            .bind(id)
            .bind(format!("onsite-{checkin}"))
            .bind(booth_at)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

async fn insert_exhibitor(
    tx: &mut sqlx::Transaction<'_, Any>,
    exhibitor: &Exhibitor,
    (hall_id, industry): (i64, &str),
    company_no: usize,
    phc: &str,
    now: i64,
) -> anyhow::Result<i64> {
    let company_slug = slug(exhibitor.name);
    const MARKETS: &[&str] = &["CN", "RU", "JP", "US", "VN", "MN", "KZ", "DE"];
    let export_countries: Vec<String> = (0..3)
        .map(|k| MARKETS[(company_no + k * 3) % MARKETS.len()].to_string())
        .collect();
    let company_id: i64 = sqlx::query_scalar(
        "insert into companies (reg_no, name, hall_id, country, region, tagline, description, \
         website, founded_year, tags, export_countries, created_ms, updated_ms) \
         values ($1, $2, $3, 'KR', $4, $5, $6, $7, $8, $9, $10, $11, $11) returning id",
    )
    .bind(format!("221-81-{:05}", 10_000 + company_no * 37))
    .bind(exhibitor.name)
    .bind(hall_id)
    .bind(exhibitor.region)
    .bind(exhibitor.tagline)
    .bind(format!(
        "{} is an exporter from {}, Gangwon-do, founded in {}. {}.",
        exhibitor.name, exhibitor.region, exhibitor.founded, exhibitor.tagline
    ))
    .bind(format!("https://{company_slug}.example.kr"))
    .bind(exhibitor.founded)
    .bind(encode_list(&strings(exhibitor.tags)))
    .bind(encode_list(&export_countries))
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .with_context(|| format!("company {}", exhibitor.name))?;
    if let Some((_, name_ko, tagline_ko)) = KOREAN.iter().find(|(n, _, _)| *n == exhibitor.name) {
        sqlx::query(
            "insert into company_texts (company_id, lang, name, tagline) values ($1, 'ko', $2, $3)",
        )
        .bind(company_id)
        .bind(*name_ko)
        .bind(*tagline_ko)
        .execute(&mut **tx)
        .await?;
    }
    for (n, (name, hs_code, description)) in exhibitor.products.iter().enumerate() {
        let product_id: i64 = sqlx::query_scalar(
            "insert into products (company_id, name, code, description, hs_code, category, tags, \
             min_order, price_range, certifications, position, created_ms) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id",
        )
        .bind(company_id)
        .bind(*name)
        .bind(format!(
            "{}-{:02}",
            company_slug
                .chars()
                .take(3)
                .collect::<String>()
                .to_uppercase(),
            n + 1
        ))
        .bind(*description)
        .bind(*hs_code)
        .bind(exhibitor.tags.first().copied())
        .bind(encode_list(&strings(exhibitor.tags)))
        .bind(if n == 0 { "100 units" } else { "1 pallet" })
        .bind(format!(
            "USD {}-{} FOB Donghae",
            3 + company_no % 7,
            8 + company_no % 11
        ))
        .bind(encode_list(&certifications(exhibitor.tags)))
        .bind(n as i64)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
        let photo = format!("photo-{industry}-{}.jpg", (company_no + n) % 2 + 1);
        insert_media(tx, company_id, Some(product_id), "photo", name, &photo, now).await?;
    }
    insert_media(
        tx,
        company_id,
        None,
        "brochure",
        "Product catalogue 2026",
        "brochure.pdf",
        now,
    )
    .await?;
    insert_media(
        tx,
        company_id,
        None,
        "video",
        &format!("{}: made in Gangwon", exhibitor.name),
        "booth-video.webm",
        now,
    )
    .await?;
    for (i, (name, languages)) in exhibitor.staff.iter().enumerate() {
        // The first company's admin has an easy address for the README.
        let email = if company_no == 1 && i == 0 {
            "exhibitor@demo.expo".to_string()
        } else {
            format!("staff{}@{company_slug}.demo", i + 1)
        };
        sqlx::query(
            "insert into users (email, name, role, status, password_hash, company_id, company_admin, \
             country, timezone, languages, created_ms) \
             values ($1, $2, 'exhibitor', 'active', $3, $4, $5, 'KR', 'Asia/Seoul', $6, $7)",
        )
        .bind(email)
        .bind(*name)
        .bind(phc)
        .bind(company_id)
        .bind(i64::from(i == 0))
        .bind(encode_list(&strings(languages)))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(company_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_data_is_consistent() {
        assert_eq!(HALLS.len(), 8);
        let companies: usize = HALLS.iter().map(|h| h.companies.len()).sum();
        assert_eq!(companies, 40);
        for hall in HALLS {
            for c in hall.companies {
                assert!(!c.products.is_empty() && !c.staff.is_empty(), "{}", c.name);
            }
        }
        for (_, _, _, country, tz, _, _) in BUYERS {
            assert!(tz.parse::<chrono_tz::Tz>().is_ok(), "{tz}");
            assert_eq!(country.len(), 2);
        }
        assert_eq!(slug("Seorak Natural Foods"), "seorak-natural-foods");
        assert_eq!(slug("Inje Birch Sap Co."), "inje-birch-sap-co");
    }
}

// ---------------------------------------------------------------- media

/// The demo booths' media, built into the binary: a product picture per industry and
/// variant, a brochure and a booth video (drawn by `tests/browser/make-demo-media.mjs`).
/// Each demo media row names one of these with a stored name `demo~{file}~{n}`, and
/// [`embedded`] answers it, so forty booths share one copy and nothing is written to disk.
const MEDIA: &[(&str, &str, &[u8])] = &[
    (
        "booth-video.webm",
        "video/webm",
        include_bytes!("../demo-media/booth-video.webm"),
    ),
    (
        "brochure.pdf",
        "application/pdf",
        include_bytes!("../demo-media/brochure.pdf"),
    ),
    (
        "photo-agriculture-1.jpg",
        "image/jpeg",
        include_bytes!("../demo-media/photo-agriculture-1.jpg"),
    ),
    (
        "photo-agriculture-2.jpg",
        "image/jpeg",
        include_bytes!("../demo-media/photo-agriculture-2.jpg"),
    ),
    (
        "photo-auto-parts-1.jpg",
        "image/jpeg",
        include_bytes!("../demo-media/photo-auto-parts-1.jpg"),
    ),
    (
        "photo-auto-parts-2.jpg",
        "image/jpeg",
        include_bytes!("../demo-media/photo-auto-parts-2.jpg"),
    ),
    (
        "photo-consumer-goods-1.jpg",
        "image/jpeg",
        include_bytes!("../demo-media/photo-consumer-goods-1.jpg"),
    ),
    (
        "photo-consumer-goods-2.jpg",
        "image/jpeg",
        include_bytes!("../demo-media/photo-consumer-goods-2.jpg"),
    ),
    (
        "photo-cosmetics-1.jpg",
        "image/jpeg",
        include_bytes!("../demo-media/photo-cosmetics-1.jpg"),
    ),
    (
        "photo-cosmetics-2.jpg",
        "image/jpeg",
        include_bytes!("../demo-media/photo-cosmetics-2.jpg"),
    ),
    (
        "photo-energy-1.jpg",
        "image/jpeg",
        include_bytes!("../demo-media/photo-energy-1.jpg"),
    ),
    (
        "photo-energy-2.jpg",
        "image/jpeg",
        include_bytes!("../demo-media/photo-energy-2.jpg"),
    ),
    (
        "photo-food-1.jpg",
        "image/jpeg",
        include_bytes!("../demo-media/photo-food-1.jpg"),
    ),
    (
        "photo-food-2.jpg",
        "image/jpeg",
        include_bytes!("../demo-media/photo-food-2.jpg"),
    ),
    (
        "photo-ict-1.jpg",
        "image/jpeg",
        include_bytes!("../demo-media/photo-ict-1.jpg"),
    ),
    (
        "photo-ict-2.jpg",
        "image/jpeg",
        include_bytes!("../demo-media/photo-ict-2.jpg"),
    ),
    (
        "photo-medical-devices-1.jpg",
        "image/jpeg",
        include_bytes!("../demo-media/photo-medical-devices-1.jpg"),
    ),
    (
        "photo-medical-devices-2.jpg",
        "image/jpeg",
        include_bytes!("../demo-media/photo-medical-devices-2.jpg"),
    ),
];

/// The stored names of built-in demo files start with this (never a random upload name).
const EMBEDDED_PREFIX: &str = "demo~";

/// A built-in demo file by its stored name: its content type and bytes.
pub fn embedded(stored: &str) -> Option<(&'static str, &'static [u8])> {
    let file = stored.strip_prefix(EMBEDDED_PREFIX)?.split('~').next()?;
    MEDIA
        .iter()
        .find(|(name, _, _)| *name == file)
        .map(|(_, mime, bytes)| (*mime, *bytes))
}

/// One media row of a demo booth, pointing at a built-in file.
async fn insert_media(
    tx: &mut sqlx::Transaction<'_, Any>,
    company_id: i64,
    product_id: Option<i64>,
    kind: &str,
    title: &str,
    file: &str,
    now: i64,
) -> anyhow::Result<()> {
    let (mime, bytes) = embedded(&format!("{EMBEDDED_PREFIX}{file}"))
        .with_context(|| format!("no built-in demo file {file}"))?;
    let stored = format!(
        "{EMBEDDED_PREFIX}{file}~{company_id}-{}-{kind}",
        product_id.unwrap_or(0)
    );
    sqlx::query(
        "insert into media (company_id, product_id, kind, title, file_name, stored_name, \
         content_type, size_bytes, created_ms) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(company_id)
    .bind(product_id)
    .bind(kind)
    .bind(title)
    .bind(file)
    .bind(stored)
    .bind(mime)
    .bind(bytes.len() as i64)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod media_tests {
    use super::*;

    #[test]
    fn every_industry_has_its_pictures_and_names_resolve() {
        for hall in HALLS {
            for variant in 1..=2 {
                let name = format!(
                    "{EMBEDDED_PREFIX}photo-{}-{variant}.jpg~1-2-photo",
                    hall.industry
                );
                let (mime, bytes) = embedded(&name).expect("a picture per industry and variant");
                assert_eq!(mime, "image/jpeg");
                assert!(bytes.starts_with(&[0xff, 0xd8]));
            }
        }
        assert!(embedded("demo~brochure.pdf~3-0-brochure")
            .unwrap()
            .1
            .starts_with(b"%PDF"));
        assert_eq!(
            embedded("demo~booth-video.webm~3-0-video").unwrap().0,
            "video/webm"
        );
        assert!(embedded("demo~../../etc/passwd~1").is_none());
        assert!(embedded("random-upload-name.jpg").is_none());
    }
}
