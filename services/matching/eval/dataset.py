# ruff: noqa: E501  (hand-written data: one sentence per line reads better than wrapped strings)
"""The labelled evaluation set for matching, written by hand for mentornet.

36 areas of expertise. Each area has mentor headlines, bio sentences and skill names from which seven
cards are built (deterministically: ``cards()``), and six asks written the way members write them —
often without the area's own words ("my packaging vendor wants 40% more" for procurement). An ask's
right mentors are the cards of its area. Neighbouring areas (procurement / sales negotiation / pricing /
commercial contracts; Kubernetes / CI/CD / incident response; managing / difficult conversations /
recruiting …) sit side by side on purpose, and 24 generalist cards that mention a bit of everything are
there to be ranked *below* the specialists.

216 asks against 276 cards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Area:
    headlines: tuple[str, ...]
    bio: tuple[str, ...]
    skills: tuple[str, ...]
    asks: tuple[tuple[str, str, tuple[str, ...]], ...]  # question, background, skills the member typed


AREAS: dict[str, Area] = {
    "procurement": Area(
        (
            "Head of purchasing",
            "Category manager, indirect spend",
            "Procurement lead",
            "Strategic sourcing manager",
            "Buyer for packaging and raw materials",
            "Chief procurement officer",
            "Vendor manager",
        ),
        (
            "I have spent years buying from suppliers and renegotiating their contracts.",
            "I run tenders, compare bids and hold vendors to their service levels.",
            "Cutting what we pay third parties without breaking the relationship is my daily work.",
        ),
        ("supplier negotiation", "vendor management", "sourcing", "tendering", "cost reduction"),
        (
            (
                "How do I push back on a 40% price rise at renewal?",
                "Our packaging firm wants 40% more from January.",
                ("pricing",),
            ),
            (
                "Our only cloud storage provider is raising fees; what leverage do we have?",
                "No alternative is lined up yet.",
                ("negotiation",),
            ),
            (
                "How should I run a fair competition between three companies bidding for our cleaning contract?",
                "First time I own this.",
                ("rfp",),
            ),
            (
                "A key supplier keeps delivering late; how do I enforce the agreement without losing them?",
                "",
                ("contracts",),
            ),
            (
                "What is a sensible way to consolidate 40 small vendors into a handful?",
                "Finance wants fewer invoices.",
                ("spend analysis",),
            ),
            (
                "How do I prepare for a yearly review meeting with the firm that makes our components?",
                "They supply 60% of parts.",
                ("supplier relations",),
            ),
        ),
    ),
    "sales_negotiation": Area(
        (
            "Enterprise account executive",
            "VP of sales",
            "Key account director",
            "Sales coach",
            "Regional sales manager",
            "Deal desk lead",
            "Founder who sold B2B software for a decade",
        ),
        (
            "I close large deals with corporate customers and coach reps on closing.",
            "Handling objections and protecting margin in the last week of a quarter is what I know best.",
            "I have trained teams to qualify leads and negotiate with procurement departments.",
        ),
        (
            "closing deals",
            "objection handling",
            "enterprise sales",
            "discount negotiation",
            "pipeline management",
        ),
        (
            (
                "A prospect's buying team demands a 30% discount before signing; how do I hold my price?",
                "The deal is my biggest this year.",
                ("negotiation",),
            ),
            ("How do I get a stalled deal moving again after the champion went quiet?", "", ("sales",)),
            (
                "What should I say when a customer says we are too expensive compared to a competitor?",
                "",
                ("objections",),
            ),
            (
                "How do I build an accurate forecast of which deals will close this quarter?",
                "My numbers are always off.",
                ("forecasting",),
            ),
            (
                "How can I reach the decision maker instead of the junior contact?",
                "Selling to banks.",
                ("prospecting",),
            ),
            (
                "Tips for a first meeting with a big retail chain that could become our largest client?",
                "",
                ("account planning",),
            ),
        ),
    ),
    "pricing_strategy": Area(
        (
            "Pricing strategist",
            "Head of monetization",
            "Product marketing lead for pricing",
            "Revenue strategy director",
            "SaaS pricing consultant",
            "Growth lead",
            "Commercial excellence manager",
        ),
        (
            "I design price plans, tiers and packaging for software products.",
            "I have run willingness-to-pay studies and price experiments.",
            "Moving from per-seat to usage-based plans is something I have led twice.",
        ),
        (
            "pricing strategy",
            "packaging and tiers",
            "monetization",
            "willingness to pay",
            "price experiments",
        ),
        (
            (
                "Should our product charge per user or by usage?",
                "We sell an analytics tool to small businesses.",
                ("business model",),
            ),
            (
                "How do we raise what we charge existing customers without losing them?",
                "We have not changed it in four years.",
                ("pricing",),
            ),
            ("How do I design good, better, best plans for our app?", "", ("product",)),
            (
                "How can we find out what customers would actually be willing to pay?",
                "We guessed our current numbers.",
                ("research",),
            ),
            ("Is a free tier a good idea for a developer tool?", "Competitors all have one.", ("freemium",)),
            ("How do we stop giving away so much through discounts on our subscription?", "", ("revenue",)),
        ),
    ),
    "legal_contracts": Area(
        (
            "Commercial lawyer",
            "In-house counsel",
            "Contracts manager",
            "Legal operations lead",
            "General counsel",
            "Paralegal for commercial agreements",
            "Technology transactions attorney",
        ),
        (
            "I draft and review commercial agreements, from NDAs to master services agreements.",
            "Limitation of liability, indemnities and termination clauses are my bread and butter.",
            "I help teams understand what they are signing before they sign it.",
        ),
        ("contract drafting", "contract review", "liability clauses", "commercial law", "redlining"),
        (
            (
                "What should I look for in the liability section of a customer agreement?",
                "They sent us their paper.",
                ("legal",),
            ),
            (
                "The other side sent back a heavily marked-up agreement; how do I prioritise what to fight for?",
                "",
                ("contracts",),
            ),
            (
                "Do we need a separate data processing agreement with our payroll provider?",
                "",
                ("agreements",),
            ),
            ("How can I spot risky indemnity wording as a non-lawyer?", "I manage partnerships.", ("risk",)),
            ("What is a reasonable notice period for ending a services deal?", "", ("termination",)),
            ("How do I set up a simple template library so teams stop reinventing NDAs?", "", ("templates",)),
        ),
    ),
    "kubernetes": Area(
        (
            "Platform engineer",
            "Kubernetes administrator",
            "Cloud native architect",
            "Container platform lead",
            "Site reliability engineer, clusters",
            "DevOps engineer",
            "Infrastructure engineer",
        ),
        (
            "I run production Kubernetes clusters and the tooling around them.",
            "Helm charts, operators and autoscaling are what I spend my days on.",
            "I help teams move their services into containers and onto a shared platform.",
        ),
        ("kubernetes", "helm", "container orchestration", "cluster autoscaling", "service mesh"),
        (
            (
                "Our pods keep getting killed for running out of memory; how do I size them?",
                "",
                ("containers",),
            ),
            ("How should we split workloads across namespaces for several teams?", "", ("platform",)),
            (
                "Is it worth running our own cluster or using a managed one?",
                "We are five engineers.",
                ("infrastructure",),
            ),
            (
                "How do I scale our service automatically when traffic spikes?",
                "It runs in containers.",
                ("scaling",),
            ),
            (
                "How do we roll out a new version of a service without downtime on our orchestrator?",
                "",
                ("deployments",),
            ),
            (
                "What is a good way to package our microservices for installation on clusters?",
                "",
                ("packaging",),
            ),
        ),
    ),
    "ci_cd": Area(
        (
            "Build and release engineer",
            "CI/CD specialist",
            "Developer productivity lead",
            "Release manager",
            "DevOps lead for pipelines",
            "Engineering effectiveness manager",
            "Tooling engineer",
        ),
        (
            "I build the pipelines that test and ship code, many times a day.",
            "Fast builds, reliable test suites and safe releases are my focus.",
            "I moved a monolith from monthly releases to continuous delivery.",
        ),
        (
            "continuous integration",
            "continuous delivery",
            "build pipelines",
            "release automation",
            "github actions",
        ),
        (
            ("Our test suite takes 50 minutes; how do we make it fast again?", "", ("testing",)),
            (
                "How do we go from a release every month to shipping whenever a change is ready?",
                "",
                ("releases",),
            ),
            ("Our builds fail randomly with flaky tests; where do I start?", "", ("quality",)),
            ("What is a good branching approach for a team of twenty?", "We fight over merges.", ("git",)),
            ("How do I add automatic checks before code is merged?", "", ("automation",)),
            ("How can we safely turn features on for a few users first?", "", ("feature flags",)),
        ),
    ),
    "incident_management": Area(
        (
            "SRE manager",
            "Incident commander",
            "Reliability lead",
            "On-call program owner",
            "Production engineering manager",
            "Operations lead",
            "Head of reliability",
        ),
        (
            "I run on-call rotations and lead the response when production breaks.",
            "Blameless postmortems and service level objectives are how my teams learn.",
            "I have reduced pages at night by half without hiding real problems.",
        ),
        ("incident response", "on-call", "postmortems", "slos", "observability"),
        (
            (
                "Our engineers are exhausted from being woken at night; how do we fix our rotation?",
                "",
                ("on-call",),
            ),
            (
                "How do I run a review after an outage without blaming anyone?",
                "Last one became a witch hunt.",
                ("culture",),
            ),
            ("How should we decide which alerts are worth waking someone?", "", ("alerting",)),
            ("How do we set reliability targets our product team accepts?", "", ("reliability",)),
            ("Who should be in charge during a major outage, and what do they do?", "", ("outages",)),
            (
                "How do I know what is going on inside our system when things go wrong?",
                "We only have logs.",
                ("monitoring",),
            ),
        ),
    ),
    "data_engineering": Area(
        (
            "Data engineer",
            "Analytics engineer",
            "Head of data platform",
            "Data pipeline architect",
            "Big data engineer",
            "Data warehouse lead",
            "ETL developer",
        ),
        (
            "I build the pipelines that move data into the warehouse and keep it trustworthy.",
            "dbt models, Spark jobs and orchestration with Airflow are my tools.",
            "I care about data quality checks and clear ownership of tables.",
        ),
        ("data pipelines", "data warehouse", "dbt", "spark", "airflow"),
        (
            (
                "Our nightly jobs that load sales numbers keep breaking; how do we make them reliable?",
                "",
                ("etl",),
            ),
            ("How should we model our tables so analysts stop writing the same queries?", "", ("analytics",)),
            (
                "What is the best way to check data is correct before dashboards show it?",
                "",
                ("data quality",),
            ),
            ("Should we process events as a stream or in daily batches?", "", ("architecture",)),
            ("How do I choose between a lake and a warehouse for our company's data?", "", ("storage",)),
            (
                "Our scheduled workflows are a tangle of cron jobs; what should replace them?",
                "",
                ("orchestration",),
            ),
        ),
    ),
    "ml_engineering": Area(
        (
            "Machine learning engineer",
            "MLOps lead",
            "Applied scientist",
            "ML platform engineer",
            "Head of AI engineering",
            "Data scientist turned engineer",
            "AI product engineer",
        ),
        (
            "I take models from notebooks into production and keep them working.",
            "Model monitoring, feature stores and retraining pipelines are my area.",
            "Lately I build products on large language models, with evaluation and guardrails.",
        ),
        ("machine learning", "mlops", "model deployment", "llm applications", "model monitoring"),
        (
            (
                "How do we get our data scientists' models out of notebooks and into our app?",
                "",
                ("deployment",),
            ),
            (
                "Our prediction quality drops after a few months; how do we notice and fix it?",
                "",
                ("monitoring",),
            ),
            (
                "How should my team start using generative AI in our product responsibly?",
                "We are a support software company.",
                ("ai",),
            ),
            ("How do we test whether a chatbot built on an LLM gives correct answers?", "", ("evaluation",)),
            ("What infrastructure do we need to retrain models every week?", "", ("pipelines",)),
            (
                "How do I explain to executives what our recommendation model can and cannot do?",
                "",
                ("communication",),
            ),
        ),
    ),
    "frontend": Area(
        (
            "Frontend engineer",
            "React specialist",
            "Web performance engineer",
            "UI engineering lead",
            "JavaScript architect",
            "Design systems engineer",
            "Senior web developer",
        ),
        (
            "I build web interfaces with React and TypeScript.",
            "Making pages load fast and feel smooth is my obsession.",
            "I maintain a component library used by many product teams.",
        ),
        ("react", "typescript", "web performance", "css", "component libraries"),
        (
            ("Our web app takes eight seconds to show anything; where do I start?", "", ("performance",)),
            ("How should we manage state in a large single page application?", "", ("javascript",)),
            ("How do we share buttons and forms across five product teams without copy-paste?", "", ("ui",)),
            ("Is it worth migrating our old jQuery pages to a modern framework?", "", ("migration",)),
            ("How do I test browser interfaces without tests breaking all the time?", "", ("testing",)),
            (
                "What is a sane way to organise styles in a big website?",
                "Our stylesheets are 20k lines.",
                ("styling",),
            ),
        ),
    ),
    "accessibility": Area(
        (
            "Accessibility specialist",
            "Digital inclusion lead",
            "A11y engineer",
            "Inclusive design consultant",
            "Accessibility auditor",
            "UX engineer focused on accessibility",
            "Assistive technology tester",
        ),
        (
            "I make websites and apps usable for people with disabilities.",
            "I audit against WCAG and test with screen readers and keyboard only.",
            "I train designers and developers to build accessible products from the start.",
        ),
        ("accessibility", "wcag", "screen readers", "inclusive design", "accessibility audits"),
        (
            ("A blind customer says they cannot use our checkout; how do we fix it?", "", ("web",)),
            (
                "What do we need to do to meet the legal requirements for public sector websites?",
                "",
                ("compliance",),
            ),
            ("How do I make sure our app works for people who cannot use a mouse?", "", ("keyboard",)),
            (
                "How do I convince my team that building for disabled users is worth the time?",
                "",
                ("advocacy",),
            ),
            ("Are our colours readable for people with low vision?", "", ("design",)),
            ("How should we test our product with people who use assistive technology?", "", ("testing",)),
        ),
    ),
    "mobile_dev": Area(
        (
            "iOS engineer",
            "Android developer",
            "Mobile lead",
            "React Native developer",
            "Mobile architect",
            "App performance engineer",
            "Flutter developer",
        ),
        (
            "I build native apps for iPhone and Android.",
            "App store releases, offline sync and battery-friendly code are my daily work.",
            "I have shipped cross-platform apps used by millions.",
        ),
        ("ios", "android", "swift", "kotlin", "cross-platform apps"),
        (
            ("Should we build our phone app natively or with a cross-platform framework?", "", ("apps",)),
            ("Our app gets rejected from the Apple store; how do we get through review?", "", ("release",)),
            ("How do we make our app work without a network connection?", "", ("sync",)),
            ("Users complain our app drains their battery; how do we find out why?", "", ("performance",)),
            ("How do we roll out a new version of our phone app gradually?", "", ("releases",)),
            ("What is a good architecture for a Kotlin app with many screens?", "", ("architecture",)),
        ),
    ),
    "database_performance": Area(
        (
            "Database administrator",
            "PostgreSQL consultant",
            "Database reliability engineer",
            "Backend engineer, databases",
            "Data infrastructure lead",
            "SQL performance specialist",
            "Storage engineer",
        ),
        (
            "I tune slow queries, design indexes and keep databases healthy.",
            "PostgreSQL internals, query plans and replication are what I know deeply.",
            "I have scaled databases to billions of rows without a rewrite.",
        ),
        ("sql tuning", "postgresql", "indexing", "query optimization", "replication"),
        (
            ("One report query takes three minutes; how do I make it fast?", "", ("sql",)),
            ("Our main database is at 90% CPU at peak; what should we look at?", "", ("performance",)),
            ("How do we upgrade our production Postgres with minimal downtime?", "", ("operations",)),
            ("When should we add read replicas and how do we handle lag?", "", ("scaling",)),
            ("How do I read an execution plan?", "", ("queries",)),
            ("Our table has grown to two billion rows; should we split it up?", "", ("partitioning",)),
        ),
    ),
    "cloud_cost": Area(
        (
            "FinOps practitioner",
            "Cloud economist",
            "Cloud cost optimisation lead",
            "Cloud architect, cost",
            "Infrastructure finance partner",
            "AWS cost specialist",
            "Platform lead for efficiency",
        ),
        (
            "I help companies understand and cut their cloud bill.",
            "Reserved capacity, rightsizing and tagging for cost allocation are what I do.",
            "I bring engineers and finance together to own what the cloud costs.",
        ),
        ("finops", "cloud cost optimization", "aws billing", "rightsizing", "cost allocation"),
        (
            ("Our AWS invoice doubled in six months; where is the money going?", "", ("cloud",)),
            ("How do we charge each team for the infrastructure it uses?", "", ("accounting",)),
            ("Should we commit to a one year savings plan with our provider?", "", ("budget",)),
            ("How do I get engineers to care about what their servers cost?", "", ("culture",)),
            ("We pay for many idle machines at night; how do we stop that?", "", ("efficiency",)),
            ("How do we forecast next year's hosting spend?", "", ("forecasting",)),
        ),
    ),
    "security": Area(
        (
            "Application security engineer",
            "CISO",
            "Penetration tester",
            "Security architect",
            "Product security lead",
            "Threat modelling coach",
            "Security champion program lead",
        ),
        (
            "I find and fix vulnerabilities in software before attackers do.",
            "Threat modelling, secure code review and penetration tests are my craft.",
            "I build security programs that developers actually like.",
        ),
        ("application security", "threat modeling", "penetration testing", "secure code review", "owasp"),
        (
            ("How do we find weaknesses in our web app before hackers do?", "", ("testing",)),
            (
                "A customer's questionnaire asks about our security program; we barely have one. Where do we start?",
                "",
                ("compliance",),
            ),
            (
                "How do I get developers to think about attacks while designing features?",
                "",
                ("engineering",),
            ),
            ("We found passwords committed to our repository; what now?", "", ("secrets",)),
            ("How should we respond when someone reports a vulnerability to us?", "", ("disclosure",)),
            ("What are the most common ways web applications get broken into?", "", ("web",)),
        ),
    ),
    "privacy_gdpr": Area(
        (
            "Data protection officer",
            "Privacy counsel",
            "Privacy engineer",
            "Privacy program manager",
            "GDPR consultant",
            "Information governance lead",
            "Privacy by design advocate",
        ),
        (
            "I help organisations handle personal data lawfully under GDPR.",
            "Impact assessments, records of processing and data subject requests are my work.",
            "I work with engineers to build privacy into products from the start.",
        ),
        (
            "gdpr",
            "data protection",
            "privacy impact assessment",
            "data subject requests",
            "privacy by design",
        ),
        (
            (
                "A customer asked us for every piece of information we hold about them; what must we do?",
                "",
                ("requests",),
            ),
            ("Do we need consent to send product emails to our users in Europe?", "", ("marketing",)),
            ("How do we decide how long to keep employee records?", "", ("retention",)),
            ("We want to use customer data to train a model; what are the rules?", "", ("ai",)),
            ("What does a data protection impact assessment involve?", "", ("assessment",)),
            (
                "How do we design our app so it collects as little personal information as possible?",
                "",
                ("design",),
            ),
        ),
    ),
    "recruiting": Area(
        (
            "Technical recruiter",
            "Head of talent acquisition",
            "Hiring manager coach",
            "Recruitment lead",
            "Talent partner",
            "Interview program designer",
            "Employer branding manager",
        ),
        (
            "I help teams hire well: sourcing, interviewing and closing candidates.",
            "Structured interviews and fair scorecards are what I champion.",
            "I have built hiring processes for fast-growing startups.",
        ),
        ("recruiting", "interviewing", "sourcing candidates", "hiring process", "employer branding"),
        (
            ("How do I design interviews that predict who will do well in the job?", "", ("hiring",)),
            ("We lose good candidates to other offers at the last step; why?", "", ("offers",)),
            ("Where do I find experienced engineers who are not looking for a job?", "", ("talent",)),
            ("How should I write a job advert that attracts a more diverse pool?", "", ("job ads",)),
            ("How do I train my team to interview consistently?", "", ("interviews",)),
            ("How many people should meet a candidate before we decide?", "", ("process",)),
        ),
    ),
    "people_management": Area(
        (
            "Engineering manager",
            "Director of engineering",
            "First-line manager coach",
            "Team lead",
            "Head of people development",
            "Operations manager",
            "Leadership coach",
        ),
        (
            "I lead teams and coach new managers through their first years.",
            "Regular one-to-ones, delegation and growing people are what I care about.",
            "I have moved from individual contributor to managing managers.",
        ),
        ("people management", "one-to-ones", "delegation", "coaching", "team leadership"),
        (
            ("I just became the boss of my former peers; how do I handle it?", "", ("leadership",)),
            ("What should I talk about in weekly one-to-ones?", "", ("management",)),
            ("How do I delegate when I feel faster doing it myself?", "", ("delegation",)),
            ("How do I help someone on my team grow into a senior role?", "", ("career growth",)),
            ("My team seems disengaged; how do I find out why?", "", ("motivation",)),
            ("How do I balance my own technical work with running a team?", "", ("time",)),
        ),
    ),
    "conflict_resolution": Area(
        (
            "Mediator",
            "HR business partner",
            "Conflict coach",
            "Organisational psychologist",
            "Employee relations specialist",
            "Communication trainer",
            "Executive coach for difficult conversations",
        ),
        (
            "I help people have the conversations they are avoiding.",
            "Mediating disputes between colleagues and giving hard feedback are my speciality.",
            "I teach non-violent communication and de-escalation.",
        ),
        ("difficult conversations", "mediation", "giving feedback", "conflict management", "de-escalation"),
        (
            ("Two people on my team refuse to work together; what do I do?", "", ("team",)),
            (
                "How do I tell a colleague that their behaviour in meetings upsets others?",
                "",
                ("communication",),
            ),
            ("My manager takes credit for my work; how do I raise it?", "", ("career",)),
            ("How do I stay calm when a stakeholder shouts at me?", "", ("stress",)),
            ("How do I give negative feedback without the person shutting down?", "", ("feedback",)),
            (
                "A disagreement with another department has turned personal; how do we reset?",
                "",
                ("relationships",),
            ),
        ),
    ),
    "public_speaking": Area(
        (
            "Keynote speaker",
            "Presentation coach",
            "Communications director",
            "Speechwriter",
            "Conference organiser and speaker",
            "Storytelling trainer",
            "Broadcast journalist",
        ),
        (
            "I help people speak with confidence, from team meetings to big stages.",
            "Structuring a talk, telling stories and handling nerves are what I coach.",
            "I have given dozens of conference keynotes.",
        ),
        ("public speaking", "presentations", "storytelling", "stage presence", "speech writing"),
        (
            ("I freeze when presenting to the board; how do I get over it?", "", ("confidence",)),
            ("How do I structure a 20 minute talk for a conference?", "", ("talks",)),
            ("How can I make my quarterly update less boring?", "", ("communication",)),
            ("How do I handle hostile questions after a presentation?", "", ("q&a",)),
            ("My voice shakes when I speak to large groups; any tips?", "", ("nerves",)),
            ("How do I tell a compelling story about our project's results?", "", ("narrative",)),
        ),
    ),
    "writing": Area(
        (
            "Technical writer",
            "Documentation lead",
            "Content designer",
            "Editor",
            "Developer advocate who writes",
            "UX writer",
            "Knowledge management lead",
        ),
        (
            "I write documentation people actually read.",
            "API references, tutorials and clear style guides are my craft.",
            "I help engineers write design documents and proposals that persuade.",
        ),
        ("technical writing", "documentation", "editing", "style guides", "api documentation"),
        (
            ("Nobody reads our internal docs; how do we make them useful?", "", ("knowledge",)),
            ("How do I write a design proposal that gets approved?", "", ("proposals",)),
            ("How should we structure the reference pages for our public API?", "", ("developers",)),
            ("How can I write shorter, clearer emails to executives?", "", ("communication",)),
            ("How do I start a style guide for our product's wording?", "", ("content",)),
            ("What makes a good tutorial for beginners?", "", ("teaching",)),
        ),
    ),
    "product_management": Area(
        (
            "Product manager",
            "Group product manager",
            "Head of product",
            "Product owner",
            "Chief product officer",
            "Product discovery coach",
            "Technical product manager",
        ),
        (
            "I decide what to build and why, with engineers and designers.",
            "Roadmaps, prioritisation frameworks and discovery are my daily tools.",
            "I have taken products from idea to millions of users.",
        ),
        (
            "product management",
            "roadmapping",
            "prioritization",
            "product discovery",
            "stakeholder management",
        ),
        (
            ("Everyone wants their feature first; how do I decide what we build next?", "", ("priorities",)),
            ("How do I write a roadmap that does not become a list of promises?", "", ("planning",)),
            ("How do I know if a new idea is worth building before we build it?", "", ("validation",)),
            ("How do I say no to a senior executive's pet feature?", "", ("stakeholders",)),
            ("What metrics should a product team own?", "", ("metrics",)),
            ("I'm an engineer moving into product; what should I learn first?", "", ("career change",)),
        ),
    ),
    "ux_research": Area(
        (
            "UX researcher",
            "Head of user research",
            "Usability specialist",
            "Design researcher",
            "Customer insights lead",
            "Research operations manager",
            "Behavioural scientist",
        ),
        (
            "I find out what users need by watching and talking to them.",
            "Interviews, usability testing and turning findings into decisions are my work.",
            "I set up research practices in companies that had none.",
        ),
        ("user research", "usability testing", "user interviews", "research synthesis", "surveys"),
        (
            ("How do I talk to customers without leading them to the answer I want?", "", ("interviews",)),
            (
                "We redesigned our signup and fewer people finish it; how do we find out why?",
                "",
                ("usability",),
            ),
            ("How many users do I need to test a prototype with?", "", ("testing",)),
            ("How do I turn 30 hours of interview notes into something useful?", "", ("analysis",)),
            ("How do I get our product team to actually use research findings?", "", ("influence",)),
            (
                "How do we recruit participants for studies on a tiny budget?",
                "",
                ("recruiting participants",),
            ),
        ),
    ),
    "visual_design": Area(
        (
            "Visual designer",
            "Brand designer",
            "Art director",
            "Design system lead",
            "Graphic designer",
            "Creative director",
            "Typography specialist",
        ),
        (
            "I design brands, interfaces and the systems that keep them consistent.",
            "Typography, colour and layout are my tools.",
            "I have built design systems for companies with many products.",
        ),
        ("visual design", "branding", "typography", "design systems", "figma"),
        (
            ("Our product looks different on every page; how do we make it consistent?", "", ("design",)),
            ("How do we choose fonts that work for both print and screen?", "", ("fonts",)),
            ("We are refreshing our logo and colours; how should we run it?", "", ("brand",)),
            ("How do I give feedback on a designer's work as a non-designer?", "", ("feedback",)),
            ("How do we organise our Figma files so teams can find components?", "", ("tools",)),
            ("How do I build a portfolio to move into graphic design?", "", ("career",)),
        ),
    ),
    "finance_budgeting": Area(
        (
            "Finance business partner",
            "FP&A manager",
            "Controller",
            "CFO",
            "Budget analyst",
            "Head of financial planning",
            "Management accountant",
        ),
        (
            "I help managers plan budgets and understand their numbers.",
            "Forecasting, variance analysis and business cases are my daily work.",
            "I translate profit and loss statements for people who are not accountants.",
        ),
        ("budgeting", "forecasting", "financial planning", "business cases", "p&l"),
        (
            (
                "I have to submit my department's plan for next year's spending; how do I build it?",
                "",
                ("planning",),
            ),
            ("How do I write a business case finance will approve?", "", ("investment",)),
            ("I'm over budget halfway through the year; what do I tell my director?", "", ("spending",)),
            ("How do I read a profit and loss statement?", "", ("accounting",)),
            ("How do we forecast revenue for a new product line?", "", ("projections",)),
            (
                "What is the difference between capital and operating expenses for my project?",
                "",
                ("finance",),
            ),
        ),
    ),
    "fundraising": Area(
        (
            "Venture capitalist",
            "Startup founder, raised three rounds",
            "Angel investor",
            "Investor relations lead",
            "Startup CFO",
            "Accelerator partner",
            "Fundraising advisor",
        ),
        (
            "I have raised money for startups and invested in many more.",
            "Pitch decks, term sheets and investor updates are what I help founders with.",
            "I know what investors look for at seed and series A.",
        ),
        ("fundraising", "venture capital", "pitch decks", "term sheets", "investor relations"),
        (
            ("How do I prepare our first pitch to investors?", "We are a two person startup.", ("startup",)),
            ("An investor sent us a term sheet; what should we watch out for?", "", ("legal",)),
            ("How much should we raise, and at what valuation?", "", ("valuation",)),
            ("How do I find investors who back companies like ours?", "", ("networking",)),
            ("What should we send our backers every month?", "", ("communication",)),
            ("How do I keep control of my company after several rounds?", "", ("equity",)),
        ),
    ),
    "marketing_seo": Area(
        (
            "SEO specialist",
            "Content marketing manager",
            "Growth marketer",
            "Digital marketing lead",
            "Search marketing consultant",
            "Head of demand generation",
            "Marketing analyst",
        ),
        (
            "I grow organic traffic and turn it into customers.",
            "Search engine optimisation, content strategy and analytics are my tools.",
            "I have run campaigns across search, email and social.",
        ),
        ("seo", "content marketing", "digital marketing", "marketing analytics", "demand generation"),
        (
            ("Our website barely shows up on Google; what do we do first?", "", ("website",)),
            ("How do we plan blog content that brings in customers, not just visitors?", "", ("content",)),
            ("How do I measure which campaigns actually bring revenue?", "", ("attribution",)),
            ("How do we build a newsletter people want to read?", "", ("email",)),
            ("We have a tiny budget; which channels should we try first?", "", ("growth",)),
            ("How do I find the words our customers use when they search?", "", ("keywords",)),
        ),
    ),
    "customer_success": Area(
        (
            "Customer success manager",
            "Head of customer success",
            "Onboarding lead",
            "Account manager",
            "Customer experience director",
            "Renewals manager",
            "Support operations lead",
        ),
        (
            "I make sure customers get value from what they bought and stay.",
            "Onboarding programmes, health scores and renewal conversations are my work.",
            "I have cut customer churn by a third in a software company.",
        ),
        ("customer success", "churn reduction", "customer onboarding", "renewals", "account management"),
        (
            ("Too many customers leave after the first year; how do we keep them?", "", ("retention",)),
            ("How do we get new customers using the product in their first week?", "", ("onboarding",)),
            ("How do I tell which accounts are at risk before they cancel?", "", ("signals",)),
            ("How do I run a quarterly review meeting with a big customer?", "", ("accounts",)),
            ("A customer is angry after an outage; how do I rebuild trust?", "", ("relationships",)),
            ("How should our support and account teams share what they learn?", "", ("collaboration",)),
        ),
    ),
    "supply_chain": Area(
        (
            "Supply chain manager",
            "Logistics director",
            "Warehouse operations lead",
            "Demand planner",
            "Inventory manager",
            "Head of distribution",
            "S&OP lead",
        ),
        (
            "I move goods from factories to customers on time and at sensible cost.",
            "Inventory planning, warehousing and freight are my daily work.",
            "I have redesigned distribution networks across Europe.",
        ),
        ("supply chain", "logistics", "inventory planning", "warehousing", "demand planning"),
        (
            (
                "We keep running out of our best-selling products; how do we plan stock better?",
                "",
                ("stock",),
            ),
            ("Shipping costs have doubled; how do we bring them down?", "", ("freight",)),
            ("How should we lay out a new warehouse?", "", ("operations",)),
            ("How do we forecast how much customers will order next season?", "", ("forecasting",)),
            ("How do we reduce the risk of one factory in Asia stopping our business?", "", ("risk",)),
            ("How do sales and operations agree on one plan every month?", "", ("planning",)),
        ),
    ),
    "manufacturing_quality": Area(
        (
            "Quality engineer",
            "Lean manufacturing coach",
            "Six Sigma black belt",
            "Plant manager",
            "Continuous improvement lead",
            "Production engineer",
            "Quality assurance manager",
        ),
        (
            "I help factories make fewer defects and waste less.",
            "Lean, Six Sigma and root cause analysis are what I practise.",
            "I have run kaizen events on production lines for years.",
        ),
        ("lean manufacturing", "six sigma", "quality control", "root cause analysis", "kaizen"),
        (
            ("Our production line has too many faulty parts; how do we find the cause?", "", ("quality",)),
            ("How do I start a continuous improvement culture on the shop floor?", "", ("improvement",)),
            (
                "How do we cut the time it takes to change a machine over between products?",
                "",
                ("efficiency",),
            ),
            ("What statistics do I need to monitor a process?", "", ("statistics",)),
            ("How do we prepare for an ISO 9001 audit?", "", ("certification",)),
            ("How do I reduce waste in our packaging process?", "", ("waste",)),
        ),
    ),
    "career_change": Area(
        (
            "Career coach",
            "Career changer, teacher to engineer",
            "Talent development lead",
            "Outplacement consultant",
            "Career transition mentor",
            "Former lawyer turned product manager",
            "Learning and development manager",
        ),
        (
            "I help people change careers and find work that fits them.",
            "Transferable skills, CVs and networking into a new field are what I coach.",
            "I changed careers twice myself.",
        ),
        ("career change", "career coaching", "cv writing", "networking", "transferable skills"),
        (
            ("I'm a nurse and want to move into tech; where do I begin?", "", ("careers",)),
            ("How do I explain a career switch in interviews?", "", ("interviews",)),
            (
                "I feel stuck after ten years in the same job; how do I figure out what's next?",
                "",
                ("direction",),
            ),
            ("How do I rewrite my CV for a completely different industry?", "", ("resume",)),
            ("How do I meet people in a field where I know no one?", "", ("contacts",)),
            ("Is it too late to change profession at 45?", "", ("confidence",)),
        ),
    ),
    "return_to_work": Area(
        (
            "Returnship programme lead",
            "Working parent coach",
            "HR lead for family policies",
            "Returner and engineering manager",
            "Flexible work advocate",
            "Parental leave coach",
            "Wellbeing lead",
        ),
        (
            "I support people coming back to work after a long break, often after having children.",
            "Flexible working, confidence and catching up on skills are what I help with.",
            "I came back from two parental leaves and now run our returners programme.",
        ),
        ("returning to work", "parental leave", "flexible working", "work-life balance", "wellbeing"),
        (
            (
                "I'm going back to my job after a year at home with my baby; how do I prepare?",
                "",
                ("career",),
            ),
            ("How do I ask for part-time hours without hurting my career?", "", ("hours",)),
            ("I feel out of date after a three year career break; how do I catch up?", "", ("skills",)),
            ("How do I handle nursery pickups and a full-time role?", "", ("balance",)),
            ("How can my team support a colleague coming back from leave?", "", ("team",)),
            ("I keep feeling guilty at work and at home; how do others cope?", "", ("stress",)),
        ),
    ),
    "diversity_inclusion": Area(
        (
            "Diversity and inclusion lead",
            "Inclusion consultant",
            "ERG founder",
            "Head of belonging",
            "Equity program manager",
            "Inclusive leadership trainer",
            "People analytics lead, equity",
        ),
        (
            "I help organisations become places where everyone can do their best work.",
            "Inclusive hiring, employee resource groups and pay equity reviews are my work.",
            "I train leaders to notice and counter bias.",
        ),
        ("diversity and inclusion", "inclusive leadership", "employee resource groups", "bias", "pay equity"),
        (
            ("Our team is all the same kind of person; how do we change that?", "", ("hiring",)),
            ("How do I start a support network for LGBTQ+ colleagues?", "", ("community",)),
            ("How do I check whether we pay men and women fairly?", "", ("pay",)),
            ("How can I run meetings where quieter people get heard?", "", ("meetings",)),
            ("How do we measure whether people feel they belong here?", "", ("culture",)),
            ("How do I respond when a colleague makes an offensive joke?", "", ("behaviour",)),
        ),
    ),
    "agile_coaching": Area(
        (
            "Agile coach",
            "Scrum master",
            "Delivery lead",
            "Kanban coach",
            "Ways of working lead",
            "Agile transformation consultant",
            "Program manager, agile",
        ),
        (
            "I help teams deliver in small steps and keep improving how they work.",
            "Scrum, Kanban, retrospectives and good sprint planning are my tools.",
            "I have coached large organisations through agile transformations.",
        ),
        ("agile", "scrum", "kanban", "retrospectives", "sprint planning"),
        (
            ("Our sprint reviews are boring and nobody comes; how do we fix them?", "", ("meetings",)),
            ("How do we run a team look-back session that leads to real change?", "", ("improvement",)),
            ("We never finish what we plan in two weeks; why?", "", ("planning",)),
            ("Should my support team use Scrum or a flow-based method?", "", ("process",)),
            ("How do I coordinate eight teams working on one product?", "", ("scaling",)),
            ("How do I estimate work when the team hates estimates?", "", ("estimation",)),
        ),
    ),
    "remote_teams": Area(
        (
            "Remote work consultant",
            "Head of remote",
            "Distributed team manager",
            "Async communication coach",
            "Remote-first founder",
            "Collaboration tools lead",
            "Global team lead",
        ),
        (
            "I lead teams spread across many countries and time zones.",
            "Asynchronous communication, written culture and remote rituals are what I know.",
            "I have run a fully distributed company for years.",
        ),
        ("remote work", "distributed teams", "async communication", "virtual collaboration", "time zones"),
        (
            ("My team spans Tokyo, Berlin and San Francisco; how do we ever meet?", "", ("collaboration",)),
            ("How do we make decisions without endless video calls?", "", ("communication",)),
            ("New hires feel lonely working from home; how do we help?", "", ("onboarding",)),
            ("How do I know whether my team is doing well when I can't see them?", "", ("management",)),
            ("How do we keep culture alive without an office?", "", ("culture",)),
            ("What should we write down instead of saying in meetings?", "", ("documentation",)),
        ),
    ),
    "sustainability": Area(
        (
            "Sustainability manager",
            "ESG reporting lead",
            "Carbon accounting analyst",
            "Climate strategy consultant",
            "Head of sustainability",
            "Circular economy specialist",
            "Environmental compliance officer",
        ),
        (
            "I help companies measure and reduce their environmental impact.",
            "Carbon footprints, ESG reporting and net zero plans are my work.",
            "I work with suppliers on circular and low-carbon products.",
        ),
        ("sustainability", "esg reporting", "carbon accounting", "net zero", "circular economy"),
        (
            ("How do we calculate our company's greenhouse gas emissions?", "", ("climate",)),
            (
                "Investors are asking for our environmental and social report; what goes in it?",
                "",
                ("reporting",),
            ),
            ("How do we set a credible target to reach zero emissions?", "", ("strategy",)),
            ("How do I get our suppliers to share their emissions data?", "", ("scope 3",)),
            ("How do we avoid being accused of greenwashing?", "", ("communication",)),
            ("How can we redesign a product so it can be repaired and recycled?", "", ("product design",)),
        ),
    ),
}

# Generalists: cards that touch many areas lightly. They are relevant to no ask, and a good ranking
# places the specialists above them.
GENERALISTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "Chief operating officer",
        "I have run operations, finance, people and sales teams over a long career.",
        ("operations", "leadership", "strategy"),
    ),
    (
        "Management consultant",
        "I advise on strategy, operations, technology and organisation design.",
        ("strategy", "consulting", "change management"),
    ),
    (
        "Startup generalist",
        "I have done a bit of everything: sales, hiring, product, fundraising and support.",
        ("startups", "generalist", "operations"),
    ),
    (
        "Chief of staff",
        "I keep the leadership team aligned, run planning and take on special projects.",
        ("planning", "executive support", "operations"),
    ),
    (
        "Engineering director",
        "I lead several engineering teams building web and mobile products.",
        ("engineering leadership", "software", "strategy"),
    ),
    (
        "Business analyst",
        "I gather requirements, map processes and write specifications.",
        ("requirements", "process mapping", "analysis"),
    ),
    (
        "Office manager",
        "I run facilities, events, travel and vendor relationships for our offices.",
        ("facilities", "events", "administration"),
    ),
    (
        "Executive assistant",
        "I manage calendars, travel and communications for executives.",
        ("scheduling", "communication", "organisation"),
    ),
    (
        "Transformation director",
        "I lead company-wide change programmes across technology and people.",
        ("transformation", "change management", "programs"),
    ),
    (
        "Software engineer",
        "I write backend services in Python and Go and care about clean code.",
        ("python", "go", "backend"),
    ),
    (
        "Solutions architect",
        "I design systems for customers across cloud, data and integration.",
        ("architecture", "cloud", "integration"),
    ),
    (
        "Operations analyst",
        "I build reports and improve processes for the operations team.",
        ("reporting", "excel", "process improvement"),
    ),
)


def _card(
    mentor_id: str, area: str, headline: str, bio: str, skills: list[dict[str, Any]], n: int
) -> dict[str, Any]:
    return {
        "mentor_id": mentor_id,
        "area": area,
        "card": {
            "display_name": mentor_id,
            "headline": headline,
            "bio": bio,
            "skills": skills,
            "capacity_per_month": 2 + n % 4,
            "timezone": ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London")[n % 4],
            "availability": [{"weekday": d, "start": "09:00", "end": "12:00"} for d in (n % 5, (n + 2) % 5)],
        },
    }


def cards() -> list[dict[str, Any]]:
    """Every card: seven per area, then the generalists (twice each, in two variants)."""
    found = []
    for area, spec in AREAS.items():
        for i, headline in enumerate(spec.headlines):
            bio = " ".join((spec.bio[i % 3], spec.bio[(i + 1) % 3]))
            chosen = [spec.skills[(i + j) % len(spec.skills)] for j in range(3 + i % 2)]
            skills = [{"name": name, "level": 2 + (i + j) % 4} for j, name in enumerate(chosen)]
            found.append(_card(f"{area}-{i}", area, headline, bio, skills, len(found)))
    for variant in range(2):
        for i, (headline, bio, skill_names) in enumerate(GENERALISTS):
            skills = [{"name": name, "level": 3 + (i + variant) % 3} for name in skill_names]
            title = headline if variant == 0 else f"Senior {headline.lower()}"
            found.append(_card(f"generalist-{variant}-{i}", "generalist", title, bio, skills, len(found)))
    return found


def asks() -> list[dict[str, Any]]:
    """Every ask with the area whose mentors are the right ones."""
    return [
        {"ask_id": f"{area}/{n}", "area": area, "question": q, "background": b, "skills": list(s)}
        for area, spec in AREAS.items()
        for n, (q, b, s) in enumerate(spec.asks)
    ]
