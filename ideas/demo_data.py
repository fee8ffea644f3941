"""Hand-written text for `manage.py seed_demo`: people, accounts, ideas and what customers say.

The demo company sells a project and work-management platform (projects, boards, timesheets,
dashboards). Everything here is static; ideas/management/commands/seed_demo.py decides who
says what and when.
"""

from dataclasses import dataclass
from decimal import Decimal

from ideas.choices import Lifecycle, Plan, Region, Segment, Status
from portal.models import Role

PASSWORD = "lode-demo"  # noqa: S105 - the documented password of the demo log-ins


@dataclass(frozen=True)
class PersonSeed:
    email: str
    name: str
    role: Role
    is_staff: bool = False


# One log-in per role (printed after seeding), then the colleagues who make the data richer.
LOGINS = [
    PersonSeed("admin@lode.example", "Alex Morgan", Role.ADMIN, is_staff=True),
    PersonSeed("pm@lode.example", "Priya Raman", Role.PM, is_staff=True),
    PersonSeed("sales@lode.example", "Sam Okafor", Role.SALES),
    PersonSeed("staff@lode.example", "Jordan Lee", Role.STAFF),
    PersonSeed("customer@acme.example", "Casey Nguyen", Role.CUSTOMER),
]
COLLEAGUES = [
    PersonSeed("sales2@lode.example", "Marta Kowalski", Role.SALES),
    PersonSeed("sales3@lode.example", "Diego Alvarez", Role.SALES),
    PersonSeed("success@lode.example", "Hannah Fischer", Role.STAFF),
]


@dataclass(frozen=True)
class AccountSeed:
    name: str
    domain: str
    segment: Segment
    region: Region
    plan: Plan
    arr: Decimal
    lifecycle: Lifecycle
    external_id: str
    owner: str  # email of the owning sales rep
    people: tuple[str, ...]  # customer users at this account
    pipeline: Decimal = Decimal(0)  # prospects: the size of the deal on the table
    former_arr: Decimal = Decimal(0)  # churned: what they paid until they left
    churned_days_ago: int = 0


ACCOUNTS = [
    AccountSeed(
        "Acme Corp",
        "acme.example",
        Segment.TECHNOLOGY,
        Region.NORTH_AMERICA,
        Plan.ENTERPRISE,
        Decimal("480000"),
        Lifecycle.CUSTOMER,
        "CRM-00123",
        "sales@lode.example",
        ("Maya Patel", "Ethan Brooks", "Olivia Chen", "Liam O'Connor", "Sofia Rossi", "Noah Kim"),
    ),
    AccountSeed(
        "Northwind Bank",
        "northwind-bank.example",
        Segment.FINANCIAL,
        Region.EMEA,
        Plan.ENTERPRISE,
        Decimal("1150000"),
        Lifecycle.CUSTOMER,
        "CRM-00141",
        "sales2@lode.example",
        (
            "Emma Schneider",
            "Lukas Weber",
            "Charlotte Dubois",
            "Oliver Hughes",
            "Ingrid Larsen",
            "Tom Bakker",
        ),
    ),
    AccountSeed(
        "Helix Health Systems",
        "helixhealth.example",
        Segment.HEALTHCARE,
        Region.NORTH_AMERICA,
        Plan.ENTERPRISE,
        Decimal("620000"),
        Lifecycle.CUSTOMER,
        "CRM-00178",
        "sales@lode.example",
        ("Aisha Johnson", "Daniel Cohen", "Grace Miller", "Ryan Thompson", "Fatima Al-Sayed"),
    ),
    AccountSeed(
        "Forge Industrial",
        "forge-industrial.example",
        Segment.MANUFACTURING,
        Region.LATAM,
        Plan.ENTERPRISE,
        Decimal("310000"),
        Lifecycle.CUSTOMER,
        "CRM-00205",
        "sales3@lode.example",
        ("Mateo García", "Valentina López", "Rafael Souza", "Camila Torres"),
    ),
    AccountSeed(
        "Brightcart",
        "brightcart.example",
        Segment.RETAIL,
        Region.EMEA,
        Plan.BUSINESS,
        Decimal("96000"),
        Lifecycle.CUSTOMER,
        "CRM-00231",
        "sales2@lode.example",
        ("Chloé Martin", "Jonas Nilsson", "Amelia Wright", "Kasia Nowak"),
    ),
    AccountSeed(
        "City of Riverton",
        "riverton.example",
        Segment.PUBLIC,
        Region.NORTH_AMERICA,
        Plan.BUSINESS,
        Decimal("64000"),
        Lifecycle.CUSTOMER,
        "CRM-00254",
        "sales@lode.example",
        ("Michael Davis", "Jennifer Walsh", "Marcus Reed"),
    ),
    AccountSeed(
        "Lakeside University",
        "lakeside-university.example",
        Segment.EDUCATION,
        Region.EMEA,
        Plan.BUSINESS,
        Decimal("48000"),
        Lifecycle.CUSTOMER,
        "CRM-00262",
        "sales2@lode.example",
        ("Eleanor Fraser", "Hamish Campbell", "Priyanka Shah"),
    ),
    AccountSeed(
        "Pixel & Press",
        "pixelpress.example",
        Segment.MEDIA,
        Region.APAC,
        Plan.STARTER,
        Decimal("18000"),
        Lifecycle.CUSTOMER,
        "CRM-00287",
        "sales@lode.example",
        ("Kenji Watanabe", "Mei Lin"),
    ),
    AccountSeed(
        "Tessellate Labs",
        "tessellate.example",
        Segment.TECHNOLOGY,
        Region.APAC,
        Plan.STARTER,
        Decimal("24000"),
        Lifecycle.CUSTOMER,
        "CRM-00293",
        "sales@lode.example",
        ("Arjun Mehta", "Chloe Tan"),
    ),
    AccountSeed(
        "Kestrel Logistics",
        "kestrel-logistics.example",
        Segment.MANUFACTURING,
        Region.EMEA,
        Plan.BUSINESS,
        Decimal(0),
        Lifecycle.CHURNED,
        "CRM-00166",
        "sales2@lode.example",
        ("Pieter de Vries", "Anna Kowalczyk"),
        former_arr=Decimal("72000"),
        churned_days_ago=58,
    ),
    AccountSeed(
        "Meridian Capital",
        "meridian-capital.example",
        Segment.FINANCIAL,
        Region.NORTH_AMERICA,
        Plan.ENTERPRISE,
        Decimal(0),
        Lifecycle.PROSPECT,
        "CRM-00312",
        "sales@lode.example",
        ("Robert Greene",),
        pipeline=Decimal("350000"),
    ),
    AccountSeed(
        "Harbor Point Insurance",
        "harborpoint.example",
        Segment.FINANCIAL,
        Region.APAC,
        Plan.BUSINESS,
        Decimal(0),
        Lifecycle.PROSPECT,
        "CRM-00318",
        "sales@lode.example",
        ("James Wilson",),
        pipeline=Decimal("90000"),
    ),
    AccountSeed(
        "Solara Retail Group",
        "solara.example",
        Segment.RETAIL,
        Region.LATAM,
        Plan.FREE,
        Decimal(0),
        Lifecycle.PROSPECT,
        "CRM-00325",
        "sales3@lode.example",
        ("Lucía Fernández",),
        pipeline=Decimal("60000"),
    ),
]

# (slug, name, description)
CATEGORIES = [
    ("reporting", "Reporting & analytics", "Dashboards, reports, exports and forecasts."),
    ("integrations", "Integrations", "Connections to the tools your teams already use."),
    ("mobile", "Mobile", "The iOS and Android apps."),
    ("security", "Security & compliance", "SSO, audit, data protection and certifications."),
    ("collaboration", "Collaboration", "Comments, mentions, guests and working together."),
    ("admin", "Admin & permissions", "Roles, users, templates and workspace settings."),
    ("performance", "Performance", "Speed, scale and reliability."),
    ("billing", "Billing", "Plans, invoices and payment."),
]

# slug -> name
TAGS = {
    "sso": "SSO",
    "api": "API",
    "export": "Export",
    "notifications": "Notifications",
    "dashboards": "Dashboards",
    "slack": "Slack",
    "salesforce": "Salesforce",
    "jira": "Jira",
    "gdpr": "GDPR",
    "audit-log": "Audit log",
    "offline": "Offline",
    "accessibility": "Accessibility",
    "ai": "AI",
}

# Who the demo company loses to, per category; ideas can name their own.
COMPETITORS = {
    "reporting": ("Smartsheet", "Monday.com", "Wrike"),
    "integrations": ("Asana", "ClickUp", "Monday.com"),
    "mobile": ("Asana", "Monday.com", "ClickUp"),
    "security": ("Smartsheet", "Wrike", "Asana"),
    "collaboration": ("Asana", "ClickUp", "Notion"),
    "admin": ("Smartsheet", "Wrike", "Asana"),
    "performance": ("ClickUp", "Asana", "Monday.com"),
    "billing": ("Monday.com", "ClickUp", "Smartsheet"),
}

RISING = "rising"  # signals pile up in the last 60-90 days
COOLING = "cooling"  # many signals 6-12 months ago, few since


@dataclass(frozen=True)
class IdeaSeed:
    title: str
    ask: str  # a noun phrase for the customer's own words: "Can we get {ask}?"
    body: str
    category: str
    tags: tuple[str, ...] = ()
    status: Status | None = None  # None: drawn so the overall mix looks like a real portal
    internal: str = ""  # "sales" or "staff": an internal idea raised by that team
    trend: str = ""
    duplicate_of: str = ""  # title of the idea this one gets merged into
    segments: tuple[Segment, ...] = ()  # who asks for it most (signals lean on these)
    regions: tuple[Region, ...] = ()
    competitors: tuple[str, ...] = ()
    decline_reason: str = ""


IDEAS = [
    # Reporting & analytics
    IdeaSeed(
        "Email dashboards as a PDF on a schedule",
        "scheduled PDF exports of dashboards",
        "Our leadership team wants the portfolio dashboard in their inbox every Monday at 8am. "
        "Today someone screenshots it by hand.\n\nA weekly or monthly schedule per dashboard, "
        "sent as a PDF to a list of addresses, would cover it.",
        "reporting",
        ("export", "dashboards"),
        status=Status.SHIPPED,
    ),
    IdeaSeed(
        "Custom date ranges on every report",
        "custom date ranges on reports",
        "Reports only offer *last 7 / 30 / 90 days*. We report on fiscal quarters, so none of "
        "the presets line up and we end up exporting to Excel to slice the data ourselves.",
        "reporting",
        ("dashboards",),
        status=Status.PLANNED,
    ),
    IdeaSeed(
        "Fiscal quarters that start in February",
        "fiscal-year settings for reports",
        "Our fiscal year starts on 1 February. Please let admins set the fiscal year start so "
        "*This quarter* and *This year* filters match how finance reports.",
        "reporting",
        status=Status.NEW,
        duplicate_of="Custom date ranges on every report",
    ),
    IdeaSeed(
        "Sprint burndown chart",
        "sprint burndown charts",
        "A burndown per sprint (remaining points or task count per day) so the team can see "
        "mid-sprint whether they'll make it. We currently maintain one in Google Sheets.",
        "reporting",
    ),
    IdeaSeed(
        "Cumulative flow diagram for boards",
        "a cumulative flow diagram",
        "We'd like to see how many cards sat in each column over time. It's the quickest way "
        "to spot where work piles up, and every Kanban coach we work with asks for it.",
        "reporting",
    ),
    IdeaSeed(
        "Keep formatting when exporting reports to Excel",
        "an Excel export that keeps formatting",
        "CSV exports lose number formats, column widths and grouping, so finance rebuilds the "
        "layout every month. A real `.xlsx` export with the same grouping as on screen would "
        "save hours.",
        "reporting",
        ("export",),
    ),
    IdeaSeed(
        "Time-in-status report",
        "a time-in-status report",
        "We need to see how long tasks sit in **Waiting for client**. That's where our projects "
        "stall, and right now we can't prove it to account managers.\n\nAverage and "
        "90th-percentile time per status, per project, would be perfect.",
        "reporting",
    ),
    IdeaSeed(
        "Share a read-only dashboard link with clients",
        "read-only dashboard links for people outside the workspace",
        "We run projects for clients and want to give them a live view of progress without "
        "buying them a seat. A secret link with an expiry date and an optional password would "
        "do.",
        "reporting",
        ("dashboards",),
    ),
    IdeaSeed(
        "Pivot table widget",
        "a pivot table widget on dashboards",
        "Let us drop a pivot table on a dashboard: rows by assignee, columns by status, values "
        "as count or sum of estimate. Most of our custom reporting is exactly that.",
        "reporting",
        ("dashboards",),
    ),
    IdeaSeed(
        "Workload heatmap by person and week",
        "a workload heatmap",
        "Resource managers want one screen that shows who is over 100% allocated in the next "
        "six weeks. Colour by percentage of capacity; click through to the tasks.",
        "reporting",
    ),
    IdeaSeed(
        "Forecast the finish date from team velocity",
        "velocity-based delivery forecasts",
        "Given the remaining work and the last few sprints' velocity, show a likely finish date "
        "with a range. Our PMO does this by hand every Friday.",
        "reporting",
    ),
    IdeaSeed(
        "Planned vs. actual hours per project",
        "planned-versus-actual hours reporting",
        "We log time against tasks that have estimates, but no report compares the two. "
        "Professional services bills on this, so it matters a lot to us.",
        "reporting",
        segments=(Segment.MEDIA, Segment.TECHNOLOGY),
    ),
    IdeaSeed(
        "Filter dashboards by custom fields",
        "dashboard filters on custom fields",
        "Our projects carry a *Region* and a *Business unit* custom field. Dashboards can't "
        "filter on them, so we keep eight copies of the same dashboard.",
        "reporting",
        ("dashboards",),
        status=Status.IN_PROGRESS,
    ),
    IdeaSeed(
        "Roll up OKR progress across projects",
        "OKR roll-ups across projects",
        "We link projects to company objectives. The objective's progress should roll up from "
        "the linked projects instead of being typed in by hand each month.",
        "reporting",
    ),
    IdeaSeed(
        "AI-written weekly status summary for each project",
        "AI-written project status summaries",
        "Every Friday our project leads spend an hour writing the same update: what moved, "
        "what's blocked, what's next.\n\nA draft generated from the week's activity, which the "
        "lead edits before sending, would give that hour back.",
        "reporting",
        ("ai",),
        status=Status.PLANNED,
        trend=RISING,
    ),
    IdeaSeed(
        "Overdue tasks by assignee widget",
        "an overdue-by-assignee widget",
        "A dashboard widget listing overdue tasks grouped by person, sorted by how late they "
        "are. Team leads check this every morning.",
        "reporting",
        ("dashboards",),
        status=Status.SHIPPED,
    ),
    IdeaSeed(
        "Month-end snapshots of report metrics",
        "month-end report snapshots",
        "Reports always show today's numbers. For the monthly review we need what the numbers "
        "*were* at the end of last month, frozen, so they match the board pack.",
        "reporting",
        segments=(Segment.FINANCIAL,),
    ),
    IdeaSeed(
        "Roadmap timeline grouped by quarter",
        "a quarterly roadmap timeline",
        "We present our roadmap to customers and execs by quarter. A timeline of epics grouped "
        "by quarter and coloured by theme would replace the slide we rebuild every month.",
        "reporting",
        competitors=("Productboard", "Aha!"),
    ),
    IdeaSeed(
        "Export a project's full history as CSV",
        "a full project history export",
        "For audits we need every change on a project (who, what, when) in one file. The "
        "activity feed shows it, but only on screen.",
        "reporting",
        ("export", "audit-log"),
    ),
    # Integrations
    IdeaSeed(
        "Two-way sync with Jira Cloud",
        "a two-way Jira sync",
        "Engineering lives in Jira, everyone else lives here. Status, assignee and comments "
        "should sync both ways between a task and its linked Jira issue, so nobody copies "
        "updates by hand.",
        "integrations",
        ("jira",),
        status=Status.SHIPPED,
        trend=COOLING,
    ),
    IdeaSeed(
        "Microsoft Teams app with notifications and task creation",
        "a Microsoft Teams integration",
        "We're a Microsoft shop; Slack isn't an option. We'd need:\n\n"
        "- notifications in a Teams channel per project\n"
        "- creating a task from a Teams message\n"
        "- a tab that shows a board",
        "integrations",
        ("notifications",),
        status=Status.UNDER_REVIEW,
        trend=RISING,
    ),
    IdeaSeed(
        "Create a task from any Slack message",
        "task creation from Slack messages",
        "Half our requests arrive in Slack. A message shortcut that turns a message into a "
        "task, with a link back to the thread, would stop them getting lost.",
        "integrations",
        ("slack",),
        status=Status.SHIPPED,
    ),
    IdeaSeed(
        "Link Salesforce opportunities to projects",
        "a Salesforce opportunity link",
        "When a deal closes, our onboarding project should show the opportunity's value, close "
        "date and owner. Ideally the project is created from a template when the stage hits "
        "*Closed Won*.",
        "integrations",
        ("salesforce",),
        status=Status.PLANNED,
    ),
    IdeaSeed(
        "Start a project from a HubSpot deal",
        "HubSpot deal-to-project automation",
        "Same as the Salesforce request, for HubSpot: when a deal moves to *Closed won*, "
        "create the onboarding project from our template and invite the account owner.",
        "integrations",
    ),
    IdeaSeed(
        "Zapier trigger when a custom field changes",
        "Zapier triggers on custom field changes",
        "Zapier can only trigger on new tasks and status changes. We need a trigger when a "
        "specific custom field (like *Approval*) changes value.",
        "integrations",
        ("api",),
    ),
    IdeaSeed(
        "Signed webhooks with automatic retries",
        "signed webhooks with retries",
        "Our endpoint sometimes returns a 503 during deploys and those events are lost for "
        "good. Please retry with backoff for at least 24 hours, and sign payloads with a "
        "shared secret so we can verify them.",
        "integrations",
        ("api",),
        status=Status.IN_PROGRESS,
    ),
    IdeaSeed(
        "GraphQL API",
        "a GraphQL API",
        "Fetching a project with its tasks, assignees and custom fields takes dozens of REST "
        "calls. A GraphQL endpoint would let our integration get exactly what it needs in one "
        "round trip.",
        "integrations",
        ("api",),
        status=Status.DECLINED,
        decline_reason="We're not going to build a GraphQL API. Our API work goes into REST "
        "plus webhooks, and we can't support two API styles well. The new `include=` "
        "parameter fetches a project with its tasks and fields in one call.",
    ),
    IdeaSeed(
        "Higher API rate limits on Enterprise",
        "higher API rate limits",
        "Two enterprise customers' nightly syncs hit the 100 requests/minute limit and take "
        "four hours. Enterprise should get a higher limit or a bulk endpoint.",
        "integrations",
        ("api",),
        internal="sales",
    ),
    IdeaSeed(
        "Two-way Google Calendar sync for due dates",
        "Google Calendar sync",
        "Show tasks with due dates on my Google Calendar, and let me move a due date by "
        "dragging the event. A one-way iCal feed isn't enough.",
        "integrations",
    ),
    IdeaSeed(
        "Sync due dates with Outlook calendars",
        "Outlook calendar sync",
        "We're on Microsoft 365. Please offer the same calendar sync for Outlook and Exchange, "
        "not just Google.",
        "integrations",
    ),
    IdeaSeed(
        "Show GitHub pull request status on tasks",
        "GitHub pull request status on tasks",
        "When a PR mentions a task ID, show the PR on the task with its state (open, merged, "
        "checks failing). Moving the task to *Done* when the PR merges would be a bonus.",
        "integrations",
        segments=(Segment.TECHNOLOGY,),
    ),
    IdeaSeed(
        "GitLab integration",
        "a GitLab integration",
        "Same as the GitHub integration, for self-managed GitLab. We can't use GitHub for "
        "regulatory reasons.",
        "integrations",
    ),
    IdeaSeed(
        "Import from Asana with comments and attachments",
        "an Asana importer that keeps comments and attachments",
        "We're migrating 300 projects from Asana. The CSV import drops comments, attachments "
        "and subtasks, which is most of the history people care about.",
        "integrations",
        status=Status.SHIPPED,
        trend=COOLING,
    ),
    IdeaSeed(
        "Import Microsoft Project (.mpp) files",
        "Microsoft Project import",
        "Engineering PMOs in two evaluations still plan in MS Project. Importing `.mpp` files "
        "with dependencies and baselines would make switching realistic for them.",
        "integrations",
        internal="sales",
        segments=(Segment.MANUFACTURING, Segment.PUBLIC),
    ),
    IdeaSeed(
        "Native Power BI connector",
        "a native Power BI connector",
        "Our BI team standardises on Power BI. Today they pull from the REST API with a script "
        "that breaks whenever a field changes. A certified connector would make us "
        "self-sufficient.",
        "integrations",
        ("dashboards",),
        status=Status.UNDER_REVIEW,
    ),
    IdeaSeed(
        "Push billable hours to Xero or QuickBooks",
        "a billable-hours sync to Xero or QuickBooks",
        "At month end we export timesheets, reformat them and import them into Xero as invoice "
        "lines. A direct sync of approved billable hours per client would remove the step.",
        "integrations",
        segments=(Segment.MEDIA, Segment.TECHNOLOGY),
    ),
    IdeaSeed(
        "Zendesk app to link tickets and tasks",
        "a Zendesk sidebar app",
        "Support wants to create or link a task from inside a Zendesk ticket and see its status "
        "there, so agents can answer *when will this be fixed?* without asking around.",
        "integrations",
        internal="staff",
    ),
    IdeaSeed(
        "Daily Slack digest of my tasks",
        "a daily Slack digest",
        "One Slack DM each morning with my tasks due today and anything overdue. Email digests "
        "get buried.",
        "integrations",
        ("slack", "notifications"),
    ),
    IdeaSeed(
        "Kick off a project when a DocuSign envelope is completed",
        "DocuSign-triggered project kickoff",
        "Our services work starts the moment the SOW is signed. A trigger on completed "
        "envelopes that creates the project from a template would shave days off kickoff.",
        "integrations",
    ),
    IdeaSeed(
        "Link previews for Confluence and Notion pages",
        "Confluence and Notion link previews",
        "Tasks are full of links to specs in Confluence and Notion. Showing the page title and "
        "a preview instead of a bare URL would make tasks much easier to scan.",
        "integrations",
    ),
    # Mobile
    IdeaSeed(
        "Offline mode in the mobile app",
        "offline mode in the mobile app",
        "Our field engineers work in basements and plants with no signal. They need to open "
        "assigned tasks, tick off checklists and add photos offline, and have it all sync when "
        "they're back online.",
        "mobile",
        ("offline",),
        status=Status.IN_PROGRESS,
        segments=(Segment.MANUFACTURING, Segment.HEALTHCARE),
    ),
    IdeaSeed(
        "Dark mode",
        "dark mode",
        "Please add a dark theme to the web and mobile apps. Our support team works night "
        "shifts and the white screen is hard on the eyes.",
        "mobile",
        ("accessibility",),
        status=Status.SHIPPED,
        trend=COOLING,
    ),
    IdeaSeed(
        "Dark theme please",
        "a dark theme",
        "Working late with the bright UI is painful. A dark theme would be great, even just for "
        "the web app.",
        "mobile",
        status=Status.UNDER_REVIEW,
        duplicate_of="Dark mode",
    ),
    IdeaSeed(
        "Start/stop timer in the mobile app",
        "a start/stop timer on mobile",
        "Consultants want to start a timer on their phone when they arrive on site and stop it "
        "when they leave, without opening a laptop.",
        "mobile",
    ),
    IdeaSeed(
        "Attach photos straight from the camera",
        "camera photo attachments on tasks",
        "Let us take a photo from within a task instead of saving it to the gallery first. "
        "Bonus: draw an arrow on it before uploading.",
        "mobile",
        status=Status.SHIPPED,
    ),
    IdeaSeed(
        "Push notification settings per project",
        "per-project push notification settings",
        "I want push notifications for the two projects I run, not for the 30 I'm a member of. "
        "Right now it's all or nothing.",
        "mobile",
        ("notifications",),
    ),
    IdeaSeed(
        "iPad split-view layout",
        "an iPad split-view layout",
        "On iPad the app is a stretched phone layout. A split view with the task list on the "
        "left and details on the right would make it usable in meetings.",
        "mobile",
    ),
    IdeaSeed(
        "Home-screen widget for today's tasks",
        "a home-screen widget for today's tasks",
        "An iOS and Android widget showing what's due today, tap to open. Small thing, but it "
        "would keep people in the app.",
        "mobile",
    ),
    IdeaSeed(
        "Scan a QR code to open an equipment task",
        "QR code scanning for equipment tasks",
        "We put QR stickers on machines. Scanning one should open that machine's maintenance "
        "tasks. Today technicians search by serial number on a tiny keyboard.",
        "mobile",
        segments=(Segment.MANUFACTURING,),
    ),
    IdeaSeed(
        "Face ID or fingerprint lock for the app",
        "a biometric app lock",
        "Our security policy requires re-authentication when the app is reopened. Face ID or a "
        "fingerprint would be far more bearable than typing a password every time.",
        "mobile",
        segments=(Segment.HEALTHCARE, Segment.FINANCIAL),
    ),
    IdeaSeed(
        "Voice notes on tasks, transcribed",
        "transcribed voice notes",
        "Site managers would rather talk than type. Record a voice note on a task and attach "
        "the transcript so others can search it.",
        "mobile",
        ("ai",),
    ),
    IdeaSeed(
        "Approve timesheets from the mobile app",
        "timesheet approval on mobile",
        "Managers approve timesheets on Friday afternoon, often from the train. Approving on "
        "mobile, with the week's totals per person, would stop the Monday backlog.",
        "mobile",
    ),
    IdeaSeed(
        "Board view in the mobile app",
        "board view on mobile",
        "The mobile app only shows lists. Our teams run everything on boards, so they switch to "
        "the mobile browser, which is painful.",
        "mobile",
        status=Status.PLANNED,
    ),
    IdeaSeed(
        "Managed app configuration for Intune",
        "Intune app configuration support",
        "Helix's IT department deploys apps through Intune. Supporting managed app "
        "configuration (preset workspace URL, no copy and paste) is a requirement for rolling "
        "the app out to their 2,000 devices.",
        "mobile",
        internal="sales",
        segments=(Segment.HEALTHCARE, Segment.FINANCIAL),
    ),
    IdeaSeed(
        "Apple Watch reminders",
        "Apple Watch reminders",
        "A tap on the wrist when a task is due, with a quick *mark done* action.",
        "mobile",
        status=Status.DECLINED,
        decline_reason="We've decided not to build an Apple Watch app. Fewer than 1% of mobile "
        "users have a paired watch with notifications on, and the phone notifications already "
        "appear on the watch with a *Mark done* action.",
    ),
    IdeaSeed(
        "Support older Android phones",
        "support for older Android devices",
        "The app requires Android 12. Many of our warehouse staff use company phones on Android "
        "10 and can't install it.",
        "mobile",
        segments=(Segment.RETAIL, Segment.MANUFACTURING),
        regions=(Region.LATAM, Region.APAC),
    ),
    IdeaSeed(
        "Location check-in on field tasks",
        "GPS check-ins on field tasks",
        "When a technician starts a task on site, record the location and time automatically "
        "so we can prove attendance to the client.",
        "mobile",
        segments=(Segment.MANUFACTURING,),
    ),
    IdeaSeed(
        "Create a task from the share sheet",
        "task creation from the phone's share sheet",
        "Share an email, photo or web page from any app into a new task. On iOS this would "
        "replace a lot of *email it to myself* habits.",
        "mobile",
    ),
    IdeaSeed(
        "Edit custom fields in the mobile app",
        "editable custom fields on mobile",
        "Custom fields are read-only on mobile, so technicians can't fill in *Hours on site* or "
        "*Parts used* until they're back at a desk.",
        "mobile",
        status=Status.SHIPPED,
    ),
    # Security & compliance
    IdeaSeed(
        "SCIM provisioning for Okta and Microsoft Entra ID",
        "SCIM provisioning",
        "We add and remove hundreds of users a month. We need SCIM 2.0 so accounts are created, "
        "updated and deactivated from our identity provider, group membership included.",
        "security",
        ("sso",),
        status=Status.PLANNED,
        trend=RISING,
    ),
    IdeaSeed(
        "SAML SSO on the Business plan",
        "SSO on the Business plan",
        "SSO is Enterprise-only. We're a 120-person company on Business and our auditors now "
        "require SSO for every SaaS tool. Please include it, or sell it as an add-on.",
        "security",
        ("sso",),
        status=Status.UNDER_REVIEW,
    ),
    IdeaSeed(
        "Okta login for our team",
        "Okta single sign-on",
        "We use Okta for everything. Can we sign in through Okta instead of separate passwords?",
        "security",
        ("sso",),
        status=Status.NEW,
        duplicate_of="SAML SSO on the Business plan",
    ),
    IdeaSeed(
        "Enforce SSO and turn off password login",
        "enforced SSO",
        "Once SSO is on, admins should be able to block password login for everyone except a "
        "break-glass account. Right now people still sign in with old passwords.",
        "security",
        ("sso",),
        status=Status.SHIPPED,
    ),
    IdeaSeed(
        "Stream audit logs to our SIEM",
        "audit log streaming to our SIEM",
        "Security wants every admin and permission event in Splunk within minutes. A push to "
        "an HTTPS endpoint or an S3 bucket would both work.",
        "security",
        ("audit-log",),
        status=Status.PLANNED,
    ),
    IdeaSeed(
        "EU data residency",
        "EU data residency",
        "Our works council and DPO require all customer data, backups included, to stay in the "
        "EU. We'd need to choose an EU region for a workspace, and a way to move our existing "
        "one.",
        "security",
        ("gdpr",),
        status=Status.UNDER_REVIEW,
        trend=RISING,
        regions=(Region.EMEA,),
    ),
    IdeaSeed(
        "Bring your own encryption key (BYOK)",
        "customer-managed encryption keys",
        "Northwind's vendor policy requires customer-managed keys in AWS KMS, so they can revoke "
        "our access in an incident. Meridian asked the same in their security review.",
        "security",
        internal="sales",
        segments=(Segment.FINANCIAL,),
    ),
    IdeaSeed(
        "Data retention policies",
        "configurable data retention",
        "Let admins set rules like *delete completed tasks and their attachments after 7 "
        "years*. Legal needs this for GDPR and for our records policy.",
        "security",
        ("gdpr",),
    ),
    IdeaSeed(
        "IP allow-listing",
        "IP allow-listing",
        "Restrict web and API access to our office and VPN IP ranges. It's a standard item on "
        "our vendor security questionnaire.",
        "security",
        status=Status.IN_PROGRESS,
    ),
    IdeaSeed(
        "Sign a HIPAA BAA",
        "a HIPAA BAA",
        "Several hospital prospects can't put patient-adjacent scheduling data in the product "
        "without a Business Associate Agreement.",
        "security",
        internal="sales",
        segments=(Segment.HEALTHCARE,),
    ),
    IdeaSeed(
        "Configurable session timeout",
        "configurable session timeouts",
        "Sessions last 30 days. Our policy is 12 hours of inactivity. Admins should be able to "
        "set it per workspace.",
        "security",
        status=Status.SHIPPED,
    ),
    IdeaSeed(
        "Require two-factor authentication for all members",
        "mandatory two-factor authentication",
        "Admins can't force 2FA today; they can only encourage it. We want a workspace setting "
        "that requires it at next login.",
        "security",
        status=Status.SHIPPED,
    ),
    IdeaSeed(
        "Publish the SOC 2 Type II report in a trust portal",
        "self-serve access to the SOC 2 report",
        "Every security review starts with *send us your SOC 2*. A trust page where prospects "
        "can request it under NDA would save sales and security a week per deal.",
        "security",
        internal="sales",
        status=Status.SHIPPED,
    ),
    IdeaSeed(
        "Field-level permissions for sensitive custom fields",
        "field-level permissions",
        "We keep salary bands and contract values in custom fields. Only HR and finance should "
        "see them, even in projects everyone can open.",
        "security",
    ),
    IdeaSeed(
        "One-click GDPR erasure for a person",
        "one-click GDPR erasure",
        "When a former client asks to be forgotten, we find and edit their name in comments and "
        "guest accounts by hand. Admins need an action that anonymises a person everywhere.",
        "security",
        ("gdpr",),
        regions=(Region.EMEA,),
    ),
    IdeaSeed(
        "Watermark exported PDFs",
        "watermarked exports",
        "Put the downloader's email and the date on every page of exported PDFs. Board "
        "material leaked once and we need a deterrent.",
        "security",
        ("export",),
    ),
    IdeaSeed(
        "Block uploads by file type",
        "file-type restrictions on uploads",
        "Let admins block executables and macro files (`.exe`, `.js`, `.docm`) on upload. Our "
        "security team flagged this in the annual review.",
        "security",
    ),
    IdeaSeed(
        "Log report views and exports in the audit log",
        "view and export events in the audit log",
        "The audit log records changes but not who exported what. For data-loss investigations "
        "we need export and download events too.",
        "security",
        ("audit-log", "export"),
    ),
    IdeaSeed(
        "FedRAMP authorisation",
        "FedRAMP authorisation",
        "US federal agencies can't buy without it, and two state agencies asked whether it's on "
        "the roadmap.",
        "security",
        internal="sales",
        status=Status.DECLINED,
        segments=(Segment.PUBLIC,),
        decline_reason="Not pursuing FedRAMP in the next 18 months: authorisation costs more "
        "than our entire federal pipeline and would freeze infrastructure changes for a year. "
        "StateRAMP is being evaluated instead.",
    ),
    # Admin & permissions
    IdeaSeed(
        "Custom roles with granular permissions",
        "custom roles",
        "The four built-in roles don't fit us. We need roles like *Contractor* (edits tasks, "
        "can't invite or export) and *Finance* (sees budgets only), built from individual "
        "permissions.",
        "admin",
        status=Status.UNDER_REVIEW,
    ),
    IdeaSeed(
        "Transfer everything when someone leaves",
        "bulk ownership transfer for leavers",
        "When a project manager leaves, their projects, tasks, dashboards and automations are "
        "reassigned one by one. One *transfer all to…* action would fix it.",
        "admin",
        status=Status.SHIPPED,
    ),
    IdeaSeed(
        "Admin API for users and groups",
        "an admin API for users and groups",
        "We want to script user and group management from our provisioning system instead of "
        "clicking through the admin screens.",
        "admin",
        ("api",),
    ),
    IdeaSeed(
        "Restrict who can create projects",
        "a way to restrict project creation",
        "Anyone can create a project, so we have 1,400 of them and half are tests. Let admins "
        "limit creation to a group.",
        "admin",
        status=Status.SHIPPED,
    ),
    IdeaSeed(
        "Locked templates that teams can't edit",
        "locked project templates",
        "Our PMO maintains the official project templates. Teams keep editing them, and the "
        "next project starts from a broken copy.",
        "admin",
    ),
    IdeaSeed(
        "Usage analytics for admins",
        "admin usage analytics",
        "Customer success keeps building adoption reports by hand before QBRs. Show admins "
        "active users per team and week, and which features they use, so they can see where "
        "adoption stalls and which seats are wasted.",
        "admin",
        internal="staff",
    ),
    IdeaSeed(
        "Bulk-deactivate users from a CSV",
        "bulk user deactivation from a CSV",
        "Support gets a ticket every time a retail customer's seasonal staff leave in batches "
        "of 200. Uploading a CSV of emails to deactivate would make it self-serve.",
        "admin",
        internal="staff",
        segments=(Segment.RETAIL, Segment.EDUCATION),
    ),
    IdeaSeed(
        "Sandbox workspace for testing configuration",
        "a sandbox workspace",
        "Enterprise admins want to try automations and permission changes in a copy of their "
        "workspace before touching production. Three evaluations asked for it this half.",
        "admin",
        internal="sales",
    ),
    IdeaSeed(
        "Manage several workspaces from one organisation",
        "multi-workspace management",
        "We have one workspace per subsidiary. Central IT needs one place to manage users, SSO "
        "and billing across all of them.",
        "admin",
    ),
    IdeaSeed(
        "Required fields before a task can move to Done",
        "required fields on status transitions",
        "A task shouldn't reach *Done* without *Actual hours* and *Outcome* filled in. Today "
        "we chase people for the data afterwards.",
        "admin",
    ),
    IdeaSeed(
        "Archive and restore projects",
        "project archiving with restore",
        "Deleting a project is permanent. We'd rather archive it (read-only, hidden from "
        "search) and restore it within 90 days if someone made a mistake.",
        "admin",
        status=Status.SHIPPED,
    ),
    IdeaSeed(
        "Sync groups from Entra ID and Google Workspace",
        "group sync from our identity provider",
        "We manage teams as groups in Entra ID. Mirroring those groups and their membership "
        "would save our admins from keeping two lists in step.",
        "admin",
        ("sso",),
    ),
    IdeaSeed(
        "Delegated admins per department",
        "delegated department admins",
        "Central IT shouldn't have to add every user. Let us appoint department admins who "
        "manage only their own teams and projects.",
        "admin",
        segments=(Segment.EDUCATION, Segment.PUBLIC),
    ),
    IdeaSeed(
        "Custom fields shared across projects",
        "global custom fields",
        "We recreate the same *Client*, *Cost centre* and *Priority* fields in every project. "
        "Define them once for the workspace and reuse them.",
        "admin",
        status=Status.IN_PROGRESS,
    ),
    IdeaSeed(
        "Admins can see and revoke active sessions",
        "session management for admins",
        "When a laptop is stolen we need to sign that person out everywhere at once, without "
        "resetting their password first.",
        "admin",
    ),
    IdeaSeed(
        "Record permission changes in the audit log",
        "permission changes in the audit log",
        "If someone is made a project admin, we want to know who did it and when. The audit log "
        "doesn't cover role changes today.",
        "admin",
        ("audit-log",),
    ),
    IdeaSeed(
        "Read-only impersonation for support",
        "read-only impersonation for support agents",
        "Support agents need to see exactly what a customer sees to troubleshoot permissions. "
        "A time-limited, customer-approved, read-only *view as* mode, logged in the audit "
        "trail.",
        "admin",
        internal="staff",
    ),
    IdeaSeed(
        "Default notification settings for new members",
        "default notification settings",
        "New members get every notification by email and unsubscribe from everything in week "
        "one. Admins should set sensible defaults for the workspace.",
        "admin",
        ("notifications",),
    ),
    # Collaboration
    IdeaSeed(
        "@mention a whole team",
        "team mentions",
        "Let us @mention a team (`@design`) instead of listing six people. People who join the "
        "team later should get future mentions too.",
        "collaboration",
        ("notifications",),
        status=Status.SHIPPED,
    ),
    IdeaSeed(
        "Guest access for clients",
        "limited guest access for clients",
        "Clients should see and comment on selected projects without seeing anything else, and "
        "without costing us a full seat.",
        "collaboration",
        status=Status.PLANNED,
    ),
    IdeaSeed(
        "Approval step in workflows",
        "approval steps in workflows",
        "Before a task moves to *Ready for production*, a named approver should approve it. "
        "Today approvals happen in email and nobody can find them later.",
        "collaboration",
    ),
    IdeaSeed(
        "Threaded replies in comments",
        "threaded comment replies",
        "Long tasks end up with 80 flat comments and you can't tell who answered what. Replies "
        "nested under the comment they answer would help.",
        "collaboration",
        status=Status.IN_PROGRESS,
    ),
    IdeaSeed(
        "Version history for task descriptions",
        "version history for descriptions",
        "Someone overwrote a spec in a task description last week and the old text is gone. "
        "Keep previous versions, with who changed what.",
        "collaboration",
    ),
    IdeaSeed(
        "Emoji reactions on comments",
        "emoji reactions on comments",
        "A 👍 instead of another *thanks!* comment that notifies twelve people.",
        "collaboration",
        status=Status.SHIPPED,
    ),
    IdeaSeed(
        "Turn emails into tasks",
        "email-to-task forwarding",
        "Give each project an email address. Forwarding an email there creates a task with the "
        "body and attachments.",
        "collaboration",
    ),
    IdeaSeed(
        "More flexible recurring tasks",
        "flexible recurring task rules",
        "We need rules like *every second Tuesday*, *last working day of the month* and *three "
        "days after the previous one is completed*.",
        "collaboration",
    ),
    IdeaSeed(
        "Dependencies between tasks in different projects",
        "cross-project dependencies",
        "Our launch project depends on tasks in the engineering and legal projects. Dependencies "
        "only work within one project, so we track them in a spreadsheet.",
        "collaboration",
        status=Status.UNDER_REVIEW,
    ),
    IdeaSeed(
        "Comment on a specific spot in an image",
        "pinned comments on images",
        "Designers want reviewers to click on a spot in a mock-up and comment there, like a "
        "proofing tool. Right now people write *the button top-left…*",
        "collaboration",
        segments=(Segment.MEDIA, Segment.RETAIL),
    ),
    IdeaSeed(
        "Real-time co-editing of task descriptions",
        "real-time co-editing",
        "Two people editing a description at once silently overwrite each other. Live "
        "co-editing, or at least a warning, please.",
        "collaboration",
    ),
    IdeaSeed(
        "Meeting notes that create tasks",
        "meeting notes that create tasks",
        "A meeting-notes page linked to a project, where any line starting with `[ ]` becomes a "
        "task with an assignee and a due date.",
        "collaboration",
    ),
    IdeaSeed(
        "Translate comments automatically",
        "automatic comment translation",
        "Our teams write in English, Spanish and Portuguese. A *translate* button on comments, "
        "or automatic translation into my language, would help the LATAM teams a lot.",
        "collaboration",
        ("ai",),
        regions=(Region.LATAM,),
    ),
    IdeaSeed(
        "Out-of-office status",
        "an out-of-office status",
        "Show when someone is out, and warn people who assign them a task or @mention them. "
        "Optionally suggest a backup person.",
        "collaboration",
    ),
    IdeaSeed(
        "Private tasks inside a shared project",
        "private tasks in shared projects",
        "HR wants to track a few sensitive tasks inside the team project, visible only to the "
        "assignee and the project owner.",
        "collaboration",
    ),
    IdeaSeed(
        "Follow a project without joining it",
        "a way to follow projects without joining them",
        "Executives want updates from projects they aren't members of, without being added "
        "(and assigned work).",
        "collaboration",
    ),
    IdeaSeed(
        "Whiteboard view for planning sessions",
        "a whiteboard view",
        "Sticky notes on a canvas for planning sessions, which we can then turn into tasks.",
        "collaboration",
        status=Status.DECLINED,
        decline_reason="We're not building a whiteboard. Dedicated tools do it far better, so "
        "we're improving our Miro embed instead: stickies can already be turned into tasks "
        "from a Miro board.",
    ),
    IdeaSeed(
        "Smarter notification digests",
        "smarter notification digests",
        "Notify me at once when I'm mentioned or assigned; bundle everything else into an "
        "hourly digest. I currently get 150 emails a day.",
        "collaboration",
        ("notifications",),
        status=Status.PLANNED,
    ),
    IdeaSeed(
        "Screen-reader support for boards",
        "screen-reader support on boards",
        "Two colleagues use screen readers. Boards can't be navigated with the keyboard and "
        "cards aren't announced. As a public body we have accessibility obligations.",
        "collaboration",
        ("accessibility",),
        status=Status.IN_PROGRESS,
        segments=(Segment.PUBLIC, Segment.EDUCATION),
    ),
    IdeaSeed(
        "Public roadmap page for our customers",
        "a public roadmap page",
        "We'd like to publish a read-only roadmap (themes and dates, no internal detail) on our "
        "own domain, so customers stop asking account managers what's coming.",
        "collaboration",
        competitors=("Productboard", "Aha!", "Canny"),
    ),
    IdeaSeed(
        "Collect customer feedback into a project",
        "a feedback form that feeds a project",
        "An embeddable form on our site that files customer feedback as tasks in a triage "
        "project, with the submitter's email. We pay for a separate tool just for this.",
        "collaboration",
        competitors=("Canny", "Productboard"),
    ),
    IdeaSeed(
        "Keyboard shortcuts for every action",
        "keyboard shortcuts for everything",
        "Power users live on the keyboard. Shortcuts exist for creating tasks, but not for "
        "assigning, changing status or moving between columns. A `?` cheat sheet would help.",
        "collaboration",
        ("accessibility",),
    ),
    # Performance
    IdeaSeed(
        "Large boards take 10+ seconds to load",
        "faster loading of large boards",
        "Boards with more than 2,000 cards take over 10 seconds to open and scrolling stutters. "
        "Our support queue board is the main screen for 40 people.",
        "performance",
        status=Status.IN_PROGRESS,
    ),
    IdeaSeed(
        "Search is slow in big workspaces",
        "faster search",
        "Searching our workspace (~250k tasks) takes 5–8 seconds and often times out when "
        "filtering by a custom field.",
        "performance",
        status=Status.SHIPPED,
    ),
    IdeaSeed(
        "Gantt view freezes with 500+ tasks",
        "a Gantt view that copes with 500+ tasks",
        "Our construction programmes have 800 tasks with dependencies. The Gantt view freezes "
        "the browser tab when we drag anything.",
        "performance",
        segments=(Segment.MANUFACTURING, Segment.PUBLIC),
    ),
    IdeaSeed(
        "Dashboards time out on 12-month ranges",
        "dashboards that handle 12-month ranges",
        "Support sees this weekly: any dashboard over a 12-month range shows *Something went "
        "wrong* after 30 seconds. Annual reviews are exactly when customers need it.",
        "performance",
        ("dashboards",),
        internal="staff",
    ),
    IdeaSeed(
        "Faster CSV import for large files",
        "faster bulk imports",
        "Imports of 50,000 rows take over an hour and fail silently halfway. Support restarts "
        "them by hand; customers need speed and a list of the rows that failed.",
        "performance",
        internal="staff",
    ),
    IdeaSeed(
        "Host in an APAC region",
        "an APAC hosting region",
        "From Sydney and Singapore every click takes a noticeable moment. APAC hosting, or at "
        "least a CDN for the app, comes up in every deal in the region.",
        "performance",
        internal="sales",
        regions=(Region.APAC,),
    ),
    IdeaSeed(
        "Mobile app takes 10 seconds to open",
        "faster mobile start-up",
        "On mid-range Android phones the app shows a spinner for about 10 seconds on every "
        "cold start.",
        "performance",
    ),
    IdeaSeed(
        "Per-region status page",
        "a per-region status page",
        "The status page said everything was fine during last month's EU outage. Report per "
        "region and per component, so support isn't contradicting it all day.",
        "performance",
        internal="staff",
    ),
    IdeaSeed(
        "Cursor pagination in the API",
        "cursor-based API pagination",
        "Offset pagination skips and repeats records when tasks change during a long export. "
        "Cursor pagination would make our nightly sync reliable.",
        "performance",
        ("api",),
        status=Status.SHIPPED,
    ),
    IdeaSeed(
        "Notification emails arrive 15 minutes late",
        "faster notification delivery",
        "Mention emails sometimes arrive 15–20 minutes after the comment. By then the "
        "conversation has moved on.",
        "performance",
        ("notifications",),
    ),
    IdeaSeed(
        "Bulk-edit 500 tasks without the page hanging",
        "fast bulk edits",
        "Selecting more than ~200 tasks and changing the assignee hangs the page for a minute, "
        "and sometimes only half the tasks update.",
        "performance",
    ),
    IdeaSeed(
        "Lighter desktop app",
        "a lighter desktop app",
        "The desktop app uses 1.5 GB of RAM. On our standard 8 GB laptops that's a problem next "
        "to Teams and Chrome.",
        "performance",
    ),
    IdeaSeed(
        "Publish a 99.95% uptime SLA for Enterprise",
        "a 99.95% uptime SLA",
        "Enterprise buyers compare SLAs line by line, and 99.9% loses us points against "
        "competitors in every procurement scorecard.",
        "performance",
        internal="sales",
    ),
    IdeaSeed(
        "Run large exports in the background",
        "background exports with progress",
        "Big exports time out in the browser. Run them in the background, show progress and "
        "email a download link when done.",
        "performance",
        ("export",),
        status=Status.PLANNED,
    ),
    IdeaSeed(
        "Load the task page before attachments",
        "lazy-loaded attachments",
        "Tasks with 40 attachments take seconds to open because every preview loads first. "
        "Show the text right away and load previews as I scroll.",
        "performance",
    ),
    # Billing
    IdeaSeed(
        "Pay by invoice and bank transfer",
        "payment by invoice",
        "Our procurement can't use credit cards for annual software contracts. We need an "
        "invoice with 30-day terms and bank details.",
        "billing",
        status=Status.SHIPPED,
    ),
    IdeaSeed(
        "Monthly billing on the Enterprise plan",
        "monthly billing on Enterprise",
        "Enterprise is annual-only. A monthly option, even at a premium, would have got two "
        "stalled deals past budget approval this year.",
        "billing",
        internal="sales",
    ),
    IdeaSeed(
        "Free viewer seats",
        "free view-only seats",
        "Half our users only look at dashboards and comment now and then. Paying a full seat "
        "for them is the main objection in every expansion conversation.",
        "billing",
        status=Status.UNDER_REVIEW,
    ),
    IdeaSeed(
        "Prorate seats removed mid-term",
        "prorated seat reductions",
        "When we remove seats mid-year we keep paying for them until renewal. Please prorate "
        "reductions the way you prorate additions.",
        "billing",
    ),
    IdeaSeed(
        "Bill in EUR, GBP and AUD",
        "local-currency billing",
        "Paying in USD adds FX fees and makes our budget move every month. Local-currency "
        "pricing for EUR, GBP and AUD, please.",
        "billing",
        status=Status.PLANNED,
        regions=(Region.EMEA, Region.APAC),
    ),
    IdeaSeed(
        "Purchase-order number on invoices",
        "PO numbers on invoices",
        "Our accounts-payable team rejects invoices without a PO number. Let us add one in "
        "billing settings so it appears on every invoice.",
        "billing",
        status=Status.SHIPPED,
    ),
    IdeaSeed(
        "Download all invoices as one ZIP",
        "a bulk invoice download",
        "At year end our accountant asks for every invoice. Downloading them one by one from "
        "the billing page takes ages.",
        "billing",
    ),
    IdeaSeed(
        "Education and nonprofit discount",
        "an education discount",
        "As a university we can't justify list price for 600 seats. Most tools offer 30–50% "
        "off for education.",
        "billing",
        segments=(Segment.EDUCATION,),
    ),
    IdeaSeed(
        "Seat usage alerts before the true-up",
        "seat usage alerts before true-up",
        "Customers are surprised by true-up invoices and open angry tickets. Alert the billing "
        "admin at 90% and 100% of licensed seats.",
        "billing",
        internal="staff",
    ),
    IdeaSeed(
        "Reverse-charge VAT on EU invoices",
        "reverse-charge VAT invoicing",
        "We're VAT-registered in Germany. Invoices should show our VAT ID and apply reverse "
        "charge instead of adding VAT we then reclaim.",
        "billing",
        status=Status.SHIPPED,
        regions=(Region.EMEA,),
    ),
    IdeaSeed(
        "Split billing by cost centre",
        "cost-centre billing",
        "Finance wants one invoice per department (cost centre) instead of one invoice for the "
        "whole company.",
        "billing",
    ),
    IdeaSeed(
        "Pay by ACH direct debit",
        "ACH direct debit payments",
        "US customers should be able to pay by ACH. Card fees on a six-figure invoice are a "
        "sticking point with our controller.",
        "billing",
        regions=(Region.NORTH_AMERICA,),
    ),
    IdeaSeed(
        "Show the price before confirming a seat change",
        "price previews on seat changes",
        "Adding seats charges the card immediately without showing the prorated amount. Show "
        "the price first.",
        "billing",
        status=Status.SHIPPED,
    ),
    IdeaSeed(
        "Pause a subscription for seasonal teams",
        "a way to pause a subscription",
        "Our event teams are idle from November to February. Let us pause those seats instead "
        "of deleting and re-inviting everyone.",
        "billing",
    ),
    IdeaSeed(
        "A plan between Starter and Business",
        "a plan between Starter and Business",
        "Starter lacks automations; Business doubles the price. A middle tier with automations "
        "but without SSO would fit the 20–50 person teams we keep losing on price.",
        "billing",
        internal="sales",
    ),
    IdeaSeed(
        "Separate billing contact",
        "a separate billing contact",
        "Invoices go to the workspace owner, who forwards them to finance. Let us add a billing "
        "email that receives invoices and receipts directly.",
        "billing",
        status=Status.SHIPPED,
    ),
    IdeaSeed(
        "Usage-based pricing for guests",
        "usage-based pricing for guests",
        "Charge for guests per active month instead of per seat; support fields a steady "
        "stream of billing questions about idle guests.",
        "billing",
        internal="staff",
        status=Status.DECLINED,
        decline_reason="Declined: guests are free from the next pricing update, which removes "
        "the problem instead of making bills harder to predict.",
    ),
    IdeaSeed(
        "Discount for paying two years upfront",
        "a multi-year prepay discount",
        "Our finance team can prepay two years if there's a discount. It would also lock in "
        "our price.",
        "billing",
    ),
]

# A rep's suggestion for a new idea, heard in the field but not in the portal yet.
PROPOSED_IDEAS = [
    ("Lock timesheets after payroll close", "timesheet locking after payroll close"),
    ("Budget tracking per project with alerts", "project budgets with overspend alerts"),
    ("Compare a Gantt chart against its baseline", "Gantt baselines"),
    ("Japanese user interface", "a Japanese UI"),
    ("Branded client portal on our own domain", "a branded client portal"),
    ("Automations triggered by due-date changes", "automations on due-date changes"),
    ("SharePoint document library integration", "a SharePoint integration"),
    ("Risk register template with scoring", "a risk register with scoring"),
    ("Capacity planning by skill", "skills-based capacity planning"),
    ("Capture expenses on tasks", "expense capture on tasks"),
    ("ServiceNow integration", "a ServiceNow integration"),
    ("Two-level approval for budget changes", "two-level budget approvals"),
    ("Customer satisfaction survey when a project closes", "close-out satisfaction surveys"),
    ("Room and equipment booking", "room and equipment booking"),
    ("Portuguese help centre", "a Portuguese help centre"),
]

# The customer's own words, by importance and by who is talking ("customer" already pays,
# "prospect" is still deciding). {ask} is never the subject of a verb, so plurals read right.
FEATURE_VERBATIMS = {
    ("deal_breaker", "customer"): [
        "If we can't get {ask} by Q3, I can't defend the renewal internally.",
        "Without {ask} our security team won't sign off on the wider rollout. It's that simple.",
        "My VP said it plainly: without {ask}, no expansion to the other business units.",
        "We were told last year that {ask} would come. If that's not in place by renewal, "
        "we're out.",
        "Our renewal committee lists {ask} as a must-have. I need a date I can put in writing.",
        "I've escalated {ask} three times now. Our CIO is asking whether we picked the wrong "
        "tool.",
    ],
    ("deal_breaker", "prospect"): [
        "Our RFP lists {ask} as a hard requirement. We can't shortlist you without it.",
        "Procurement has {ask} as a must-have. I need a date I can put in writing.",
        "Without {ask} our security team won't approve the purchase. It's that simple.",
        "We'd sign this quarter if you could commit to {ask}.",
        "Everything else checks out in the trial. The one open item is {ask}.",
    ],
    ("important", "customer"): [
        "Our team asks me about {ask} every single week. Is it on the roadmap?",
        "The one thing stopping us from rolling this out to the other 400 people is {ask}.",
        "Right now we work around the lack of {ask} with spreadsheets and manual steps.",
        "Our admins lose half a day a week because we don't have {ask}.",
        "Honestly, we'd pay more for {ask}.",
        "Every team that joined this quarter has asked for {ask}.",
        "{Ask} came up again in our steering committee. People are getting impatient.",
        "When we bought, we assumed we'd get {ask}. People went looking for that in week one.",
    ],
    ("important", "prospect"): [
        "In the trial, half the team went looking for {ask}.",
        "We're comparing three tools, and our scorecard has a line for {ask}.",
        "Our current tool doesn't have {ask} either. If you did, that would tip it.",
        "Security and finance are happy; the last open item on our list is {ask}.",
    ],
    ("nice_to_have", "customer"): [
        "Not urgent, but {ask} would make my life a lot easier.",
        "If you ever add {ask}, our project leads would be thrilled.",
        "Small thing: {ask} would be lovely. Our old tool had something similar.",
        "How hard would {ask} be? A couple of teams mentioned it in our internal survey.",
    ],
    ("nice_to_have", "prospect"): [
        "Not a deal-breaker, but {ask} would make the switch easier for our team.",
        "Do you have {ask} on the roadmap? Just curious, it won't decide anything.",
    ],
}
COMPETITOR_VERBATIMS = [
    "{competitor} showed us {ask} in their demo last week. Can you match that?",
    "We're also evaluating {competitor} because they already have {ask}.",
    "Procurement wants a comparison with {competitor}, and the line where we lose is {ask}.",
    "Half the team used {competitor} before, and what they keep asking me for is {ask}.",
]
LOSS_VERBATIMS = {
    "prospect": [
        "We went with {competitor}. The deciding factor for our IT team was {ask}.",
        "Honestly your product is nicer, but without {ask} we couldn't get it past security.",
        "We chose {competitor}: they had {ask} out of the box and we couldn't wait for your "
        "roadmap.",
    ],
    "customer": [
        "We moved to {competitor} at renewal. We'd asked for {ask} for over a year.",
        "In the end it came down to {ask}. {competitor} had it, and we'd waited long enough.",
    ],
}
PRICING_VERBATIMS = [
    "Paying for Enterprise just to get {ask} is a hard sell to my CFO.",
    "The jump from Business to Enterprise is more than double, and all we need is {ask}.",
    "If {ask} came as an add-on, I could get budget for it this quarter.",
]
PRAISE_VERBATIMS = [
    "Getting {ask} has been a huge win for us. The team noticed on day one.",
    "Thank you for shipping {ask}. It removed a weekly chore for our admins.",
    "You built {ask} exactly the way we asked. We showed it off in our all-hands.",
    "Since you shipped {ask}, the complaints from our project leads have stopped.",
]
# The rep's one-liner, keyed like FEATURE_VERBATIMS, or by kind for the other kinds.
SUMMARIES = {
    ("deal_breaker", "customer"): ["Renewal blocker: {ask}", "Must-have before renewal: {ask}"],
    ("deal_breaker", "prospect"): ["RFP must-have: {ask}", "Won't buy without {ask}"],
    ("important", "customer"): [
        "Wants {ask}",
        "Asking for {ask} again",
        "Needs {ask} to roll out wider",
    ],
    ("important", "prospect"): ["Trial feedback: wants {ask}", "Evaluation gap: {ask}"],
    ("nice_to_have", "customer"): ["Would like {ask}", "Nice-to-have: {ask}"],
    ("nice_to_have", "prospect"): ["Roadmap question: {ask}"],
    "competitor": ["Comparing us with {competitor} on {ask}"],
    "loss_reason": ["Lost to {competitor} over {ask}"],
    "pricing": ["Price pushback: Enterprise just for {ask}", "Wants {ask} without upgrading"],
    "praise": ["Happy with {ask}", "Praised {ask}"],
}

# Things heard in the field that no idea captures: (kind, verbatim, summary, competitor).
UNROUTED_SIGNALS = [
    (
        "pricing",
        "Per-seat pricing doesn't work when half our people only look at dashboards once a week.",
        "Seat price too high for occasional users",
        "",
    ),
    (
        "pricing",
        "Your renewal quote is 18% up on last year. I need a reason to give my CFO beyond "
        "'list price went up'.",
        "Pushback on renewal uplift",
        "",
    ),
    (
        "pricing",
        "Monday.com offered us 40% off the first year. I'd rather stay, but you need to get "
        "closer.",
        "Competitive discount from Monday.com",
        "Monday.com",
    ),
    (
        "pricing",
        "We love it, but at this price finance will approve 50 seats, not the 200 we wanted.",
        "Expansion capped by budget",
        "",
    ),
    (
        "pricing",
        "Can you do a three-year deal with the price locked? Budget is easier to get that way.",
        "Wants a multi-year price lock",
        "",
    ),
    (
        "pricing",
        "The jump from Business to Enterprise is more than double, and we'd use two of the "
        "features.",
        "Enterprise tier too expensive for their needs",
        "",
    ),
    (
        "praise",
        "Your support team fixed our import in under an hour. That's honestly why we're renewing.",
        "Praise for support",
        "",
    ),
    (
        "praise",
        "The new automations save our ops team about a day a week. People noticed.",
        "Automations saving time",
        "",
    ),
    (
        "praise",
        "Onboarding was the smoothest we've had with any vendor this year.",
        "Great onboarding",
        "",
    ),
    (
        "praise",
        "Our execs actually open the dashboards now. That never happened with the old tool.",
        "Exec adoption of dashboards",
        "",
    ),
    (
        "praise",
        "The mobile app is much better since the last update. The technicians stopped "
        "complaining.",
        "Mobile app improvements noticed",
        "",
    ),
    (
        "competitor",
        "We're running a bake-off with Smartsheet next month. Send us your security pack early.",
        "Bake-off against Smartsheet",
        "Smartsheet",
    ),
    (
        "competitor",
        "ClickUp is offering to migrate us for free. What can you match?",
        "ClickUp offering free migration",
        "ClickUp",
    ),
    (
        "competitor",
        "Our new CTO used Asana at his last company and keeps asking why we don't just switch.",
        "New CTO favours Asana",
        "Asana",
    ),
    (
        "competitor",
        "Productboard is pitching our product team directly: roadmaps and feedback in one place.",
        "Productboard courting their product team",
        "Productboard",
    ),
    (
        "competitor",
        "Aha! came in cheaper for the roadmap piece, but nobody liked the UI in the trial.",
        "Aha! trialled for roadmaps",
        "Aha!",
    ),
    (
        "other",
        "Can we get a roadmap session with your product team before our planning cycle in "
        "September?",
        "Requests a roadmap briefing",
        "",
    ),
    (
        "other",
        "Who is our new CSM? We haven't heard from anyone since March.",
        "No CSM contact since the handover",
        "",
    ),
    (
        "other",
        "We're restructuring into three business units next quarter and will need help "
        "re-mapping the workspace.",
        "Needs help with a reorganisation",
        "",
    ),
    (
        "loss_reason",
        "Budget was cut and the whole programme was shelved. Nothing you did wrong.",
        "Lost: budget cut",
        "",
    ),
]

CONTACT_ROLES = [
    "VP Operations",
    "IT Director",
    "Head of PMO",
    "CISO",
    "Procurement Lead",
    "Project Manager",
    "CFO",
    "Head of Customer Success",
    "Engineering Manager",
    "Director of Professional Services",
    "Security Architect",
    "Operations Manager",
    "Workspace admin",
    "COO",
]
# Contacts who never signed up to the portal: two per account, the rest met at events.
CONTACT_NAMES = [
    "Rebecca Hall",
    "Stefan Ivanov",
    "Nadia Rahman",
    "Paul Lefebvre",
    "Yuki Tanaka",
    "Carlos Mendes",
    "Hannah Berg",
    "Ade Oyelaran",
    "Laura Conti",
    "Brian McAllister",
    "Sinead Byrne",
    "Vikram Nair",
    "Greta Lindqvist",
    "Omar Haddad",
    "Julia Kowalski",
    "Tobias Frank",
    "Mariana Costa",
    "Derek Chung",
    "Ines Moreau",
    "Sean Gallagher",
    "Amara Okeke",
    "Felipe Rojas",
    "Hiroshi Sato",
    "Claire Dubois",
    "Nathan Price",
    "Ewa Zielinska",
    "Kofi Mensah",
    "Leah Goldberg",
    "Mohammed Iqbal",
    "Rosa Jimenez",
]

PUBLIC_COMMENTS = [
    "+1. We'd use this every day.",
    "Same for us — our finance team keeps asking.",
    "This would save our team a couple of hours a week.",
    "Any update on this? It's been a few months.",
    "Upvoted. We work around it with a spreadsheet today, which nobody enjoys.",
    "Adding our voice: about 60 people here would benefit.",
    "Critical for us before we roll out to the rest of the company.",
    "Would this also work for archived projects?",
    "Please make it configurable per project, not just for the whole workspace.",
    "We raised this with our account manager too.",
    "Is there a workaround in the meantime? Happy to use the API.",
    "Our admins would love this. It's one of the top three requests internally.",
    "Yes please! This is what I miss most from our previous tool.",
    "Would be great if this worked on mobile too.",
    "We need this for our audit in Q4.",
    "Agree with the comments above. The current behaviour confuses new users.",
    "Some context: we have ~400 users across three regions, so this matters at scale.",
    "This would help our clients too, not just us.",
    "Simple request, big impact. Please prioritise.",
    "Could you share a rough timeline? We're planning our own rollout around it.",
    "We tried a Zapier workaround but it breaks whenever someone renames a field.",
    "Happy to join a beta or a user interview on this.",
    "Also needed for our German subsidiary.",
    "Please keep it simple — a basic version now beats a perfect one next year.",
    "Our team lead brought this up in our last QBR as well.",
    "Voting on behalf of our operations team (about 25 people).",
    "An API endpoint for this would be great too.",
    "This came up again in our retro this week.",
    "Please put it behind a permission so only admins can change it.",
    "Is this on the roadmap at all? Even a 'not now' would help us plan.",
    "We'd switch our whole PMO over if this existed.",
    "Our previous vendor had this and people keep asking where it went.",
    "Would love to see this for guests as well as members.",
    "This is the number one request from our project managers.",
    "Exactly our use case. Thanks for writing it up so clearly.",
    "Seconding this. Right now we copy and paste between tools.",
]
PM_REPLIES = [
    "Thanks for the detail — really useful. Roughly how many people on your team would use this?",
    "We're looking into this. If you'd be up for a 20-minute call, reply here and I'll reach out.",
    "Thanks everyone for the votes and examples. We'll post an update here once it's scoped.",
    "Question for everyone following: is this a daily need for you, or more of a monthly one?",
    "We hear you. This is on the list for our next planning cycle.",
    "Could you share a screenshot of your current workaround? It helps us size this.",
]
THANKS_COMMENTS = [
    "Just tried it — works exactly as we hoped. Thank you!",
    "This has already saved us time this week. Great job.",
    "Thanks for shipping this! Small follow-up: it'd be nice to have it in the API as well.",
    "Rolled it out to the whole team today. 👏",
    "Finally! Thanks for listening.",
]
INTERNAL_IDEA_COMMENTS = [
    "Heard this again from two prospects this month.",
    "Support sees 5–10 tickets a month that this would prevent.",
    "Came up again in a security review last week.",
    "Adding my vote: this cost us a deal last quarter.",
    "CS here — three QBRs in a row raised this.",
]
INTERNAL_NOTES = [
    "Talked to eng: needs the new permissions model first.",
    "Rough sizing from eng: 3–4 sprints, mostly backend.",
    "Overlaps with the notifications rework planned for Q3; revisit then.",
    "Two enterprise renewals mention this. Flagging for the next prioritisation meeting.",
    "Support volume on this is low; it's mostly one customer asking repeatedly.",
    "Design has a Figma mock-up from last year that we could reuse.",
    "Legal needs to review before we commit to anything publicly.",
    "Spoke to the Acme admin: they'd accept a CSV-based first version.",
    "Competitive parity item — sales says we lose points here in bake-offs.",
    "Blocked on the data-model migration. Don't promise dates.",
    "Could ship a thin version behind a feature flag for the three loudest accounts.",
    "Check with finance before committing; this affects revenue recognition.",
    "Eng spike done: feasible, but performance on large workspaces needs work.",
    "CS says this is the top ask in onboarding calls.",
    "Merged two support tickets into this; both from the same account.",
    "Parking until the API v3 work lands.",
    "Security wants a threat model before we build this.",
    "Votes are mostly from small accounts, but the signals say enterprise cares more.",
    "This would also unblock part of the mobile offline work.",
    "Estimate: M. Good candidate for the next hack week.",
]

EXPLANATIONS = {
    Status.UNDER_REVIEW: [
        "Thanks for the suggestion — we're reviewing how many teams need this.",
        "We're looking into this and collecting examples. Keep them coming.",
        "Under review: we're talking to a few of you to understand the use cases.",
        "Moving this to review. We'll update here once we've scoped it.",
    ],
    Status.PLANNED: [
        "This is on our roadmap for the coming quarter.",
        "Planned: we've scoped a first version and scheduled it.",
        "We're committing to this. Expect an update once work starts.",
    ],
    Status.IN_PROGRESS: [
        "Work has started. We'll post here when it's ready to try.",
        "In progress: design is done and engineering is building the first version.",
        "Engineering picked this up this sprint.",
    ],
    Status.SHIPPED: [
        "Shipped! Available now on all plans — details in the release notes.",
        "This is live. Thanks to everyone who voted and shared examples.",
        "Released today. Let us know how it works for you.",
        "Now available in every workspace.",
    ],
}
# Real reasons, for declined ideas without a reason of their own.
DECLINE_REASONS = [
    "We've decided not to build this: fewer than 1% of active workspaces would use it, and it "
    "would add maintenance to every release. Automations cover most of the cases described "
    "here.",
    "Declining for now. The same result is possible with automation rules today (see the help "
    "article on automations), and we'd rather improve those than build a second way to do it.",
    "We looked at this carefully and decided against it: it conflicts with our permission "
    "model, which keeps every project's data visible only to its members.",
    "Not something we'll build. We trialled a similar feature last year and usage was close "
    "to zero after the first week.",
    "We won't be doing this. It would need a separate data store per customer, which we can't "
    "operate reliably at our size; the export API is the supported route.",
]
PUBLIC_RESPONSES = {
    Status.PLANNED: [
        "Thanks for all the feedback here. We've scheduled a first version for the coming "
        "quarter and will post progress on this page.",
        "This is planned. The votes and examples in this thread shaped the scope — thank you.",
    ],
    Status.IN_PROGRESS: [
        "We're building this now. Voters will get early access before the general release.",
        "Work is under way. We'll share a beta here as soon as it's usable.",
    ],
    Status.SHIPPED: [
        "This is live for every workspace. Thank you to everyone who voted and described their "
        "use case; it shaped the first version.",
        "Shipped! See the release notes for details, and tell us here what should come next.",
    ],
}
