"""Simulated farmers, trainers and officials: one thread each, in client processes.

Each person has a phone: a requests session from its own loopback address
(127.0.x.y), so per-address limits treat them as the different phones they are.
A phone retries a request that got no answer (connection refused or reset) with
a growing pause, the way the offline queue does; only the quiz form is not
retried (a person would tap again, which is a new attempt).
"""

import json
import random
import re
import threading
import time
import uuid
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from tests.bench._server import PASSWORD

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
ATTEMPT_URL = re.compile(r"/quiz/attempts/(\d+)$")
PAPER = re.compile(r'name="quiz_paper" value="([^"]+)"')
CHOICE_INPUT = re.compile(
    r'<input type="(?:radio|checkbox)" name="([^"]+)" value="(\d+)"'
)
TIMEOUT = 30  # seconds without an answer: the phone gives up on this try
GIVE_UP = 90  # seconds of retrying before the phone keeps it for later
OFFICIAL_PAGES = ("/reports", "/reports/learners", "/clubs")
EXPORT_EVERY = 5  # an official downloads the report every few rounds
BUSY = "busy: retried after Retry-After"  # a 503 the phone waited out


class Log:
    """What one client process saw: every try, and every acknowledged write."""

    def __init__(self):
        self.tries = []  # [kind, status or None, ms, end time, error or ""]
        self.lessons = []  # [phone, course, lesson] completed with a 2xx/3xx
        self.attempts = []  # [phone, attempt id] quiz form answered
        self.exports = []  # [phone] report downloaded
        self.events = []  # sync events acknowledged: dict
        self.unknown = []  # [phone, what]: no answer in the end, maybe applied
        self.violations = []  # exactly-once broken, as seen by the client
        self.lock = threading.Lock()

    def add(self, name, item):
        with self.lock:
            getattr(self, name).append(item)

    def dump(self, path):
        keys = (
            "tries",
            "lessons",
            "attempts",
            "exports",
            "events",
            "unknown",
            "violations",
        )
        with open(path, "w") as out:
            json.dump({key: getattr(self, key) for key in keys}, out)


class SourceAddress(HTTPAdapter):
    def __init__(self, address):
        self.address = address
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Phone:
    def __init__(self, base_url, address, phone, log, deadline, think):
        self.base_url = base_url
        self.phone = phone
        self.log = log
        self.deadline = deadline
        self.think_range = think
        self.session = requests.Session()
        self.session.mount("http://", SourceAddress(address))
        self.session.headers["Accept-Language"] = "vi"
        self.csrf = None
        self.signed_in = False
        self.papers = {}  # course slug -> the quiz paper last shown, as in the page

    def request(self, kind, method, path, retry=True, **kwargs):
        """One request as a phone makes it; None when no answer ever came."""
        pause, started = 1.0, time.time()
        while True:
            begin = time.time()
            try:
                response = self.session.request(
                    method,
                    self.base_url + path,
                    timeout=TIMEOUT,
                    allow_redirects=False,
                    **kwargs,
                )
            except requests.RequestException as error:
                end = time.time()
                self.log.add("tries", [kind, None, _ms(begin, end), end, _name(error)])
                if not retry or end - started > GIVE_UP:
                    return None
                time.sleep(pause)
                pause = min(pause * 2, 15)
                continue
            end = time.time()
            wait = _retry_after(response)
            if wait is not None and end - started <= GIVE_UP:
                # Busy: nothing was saved; come back when told, as the queue does.
                self.log.add("tries", [kind, 503, _ms(begin, end), end, BUSY])
                time.sleep(wait * (1 + random.random()))
                continue
            # Sent back to the sign-in page: the session ended, nothing was done.
            error = "signed out" if self.signed_in and _to_login(response) else ""
            self.log.add(
                "tries", [kind, response.status_code, _ms(begin, end), end, error]
            )
            if "html" in response.headers.get("Content-Type", ""):
                found = CSRF_META.search(response.text)
                self.csrf = found.group(1) if found else self.csrf
            return response

    def get(self, kind, path):
        return self.request(kind, "GET", path)

    def post_form(self, kind, path, data, retry=True):
        return self.request(
            kind, "POST", path, retry=retry, data={"csrf_token": self.csrf, **data}
        )

    def follow(self, kind, response):
        if response is not None and response.is_redirect:
            self.get(kind, response.headers["Location"])

    def think(self):
        time.sleep(max(0, min(random.uniform(*self.think_range), self.left())))

    def left(self):
        return self.deadline - time.time()

    def sign_in(self):
        """Sign in with the real form; False when it did not work."""
        if self.get("sign-in page", "/login") is None:
            return False
        response = self.post_form(
            "sign in", "/login", {"phone": self.phone, "password": PASSWORD, "next": ""}
        )
        if response is None or response.status_code != 302:
            return False
        self.signed_in = True
        self.get("catalogue", "/")
        return True


def farmer(phone, courses):
    while phone.left() > 0:
        course = random.choice(courses)
        slug = course["slug"]
        phone.get("catalogue", "/")
        phone.think()
        phone.get("course", f"/courses/{slug}")
        phone.think()
        lesson = random.choice(course["lessons"])
        phone.get("lesson", f"/courses/{slug}/lessons/{lesson}")
        phone.think()
        choice = random.random()
        if choice < 0.6:
            complete_lesson(phone, slug, lesson)
        elif choice < 0.75 and course["questions"]:
            take_quiz(phone, course)
        else:
            sync(phone, courses)
        phone.think()


def complete_lesson(phone, slug, lesson):
    path = f"/courses/{slug}/lessons/{lesson}/complete"
    response = phone.post_form("complete lesson", path, {})
    if response is None:
        phone.log.add("unknown", [phone.phone, f"complete {slug}/{lesson}"])
    elif acknowledged(response):
        phone.log.add("lessons", [phone.phone, slug, lesson])
        phone.follow("page after completing", response)


def take_quiz(phone, course):
    slug = course["slug"]
    paper = _read_paper(phone, phone.get("quiz", f"/courses/{slug}/quiz"), slug)
    phone.think()
    if paper is None:
        return
    token, answers = paper[0], _answers(paper[1])
    data = [("csrf_token", phone.csrf), ("quiz_paper", token)]
    data += [(q, c) for q, chosen in answers.items() for c in chosen]
    response = phone.request(
        "answer quiz", "POST", f"/courses/{slug}/quiz", retry=False, data=data
    )
    if response is None:
        phone.log.add("unknown", [phone.phone, f"quiz {slug}"])
    elif acknowledged(response):
        found = ATTEMPT_URL.search(response.headers.get("Location", ""))
        if not found:
            phone.log.add("violations", [phone.phone, "quiz answered, no attempt"])
            return
        phone.log.add("attempts", [phone.phone, int(found.group(1))])
        phone.follow("quiz result", response)


def sync(phone, courses):
    """Send 1 to 3 events made offline; sometimes send the same batch again."""
    events = []
    for _ in range(random.randint(1, 3)):
        course = random.choice(courses)
        event = {"id": str(uuid.uuid4()), "course": course["slug"], "at": _now()}
        paper = phone.papers.get(course["slug"])
        if paper and random.random() < 0.25:  # on the quiz page saved earlier
            event.update(type="quiz.submit", paper=paper[0], answers=_answers(paper[1]))
        else:
            event.update(
                type="lesson.complete", lesson=random.choice(course["lessons"])
            )
        events.append(event)
    first = _send(phone, events)
    if first is None:
        return
    for event, result in zip(events, first, strict=True):
        phone.log.add("events", {**event, "phone": phone.phone, "result": result})
    if random.random() < 0.3:  # the phone did not hear the answer: send again
        again = _send(phone, events, kind="sync (sent again)")
        if again is not None and [_replayed(r) for r in first] != again:
            phone.log.add("violations", [phone.phone, "resent batch", first, again])


def _send(phone, events, kind="sync"):
    """POST a batch until it gets a 2xx; None if it never does."""
    while phone.left() > -GIVE_UP:
        response = phone.request(
            kind,
            "POST",
            "/api/v1/progress/sync",
            json={"events": events},
            headers={"X-CSRFToken": phone.csrf},
        )
        if response is None:
            break
        if response.status_code == 200:
            return response.json()["results"]
        if response.status_code < 500:
            return None  # counted as an error the application returned
        time.sleep(1)
    phone.log.add("unknown", [phone.phone, [e["id"] for e in events]])
    return None


def sync_batch(phone, events, kind="sync"):
    """Send one batch and log each acknowledged event with its result."""
    results = _send(phone, events, kind)
    for event, result in zip(events, results or [], strict=False):
        phone.log.add("events", {**event, "phone": phone.phone, "result": result})
    return results


def _retry_after(response):
    """Seconds a 503 asked to wait, or None for any other answer."""
    value = response.headers.get("Retry-After", "")
    return int(value) if response.status_code == 503 and value.isdigit() else None


def _replayed(result):
    if result.get("status") == "applied":
        return {**result, "status": "duplicate"}
    return result


def trainer(phone, class_id):
    while phone.left() > 0:
        phone.get("teaching", "/teach")
        phone.think()
        phone.get("class page", f"/teach/classes/{class_id}")
        phone.think()
        phone.get("review queue", "/teach/reviews")
        phone.think()
        if random.random() < 0.2:
            # A job: the answer leads to its page, which the trainer watches once.
            response = phone.post_form(
                "class CSV", f"/teach/classes/{class_id}/roster.csv", {}
            )
            phone.follow("class CSV job", response)
            phone.think()


def official(phone):
    rounds = 0
    while phone.left() > 0:
        for path in OFFICIAL_PAGES:
            phone.get(f"official {path}", path)
            phone.think()
        rounds += 1
        if rounds % EXPORT_EVERY == 0:
            response = phone.post_form("report CSV", "/reports/export.csv", {})
            if response is None:
                phone.log.add("unknown", [phone.phone, "report CSV"])
            elif acknowledged(response):
                phone.log.add("exports", [phone.phone])
                phone.follow("report CSV job", response)
            phone.think()


def acknowledged(response):
    """A 2xx or 3xx that is not the sign-in page: the server says it did it."""
    return response.status_code < 400 and not _to_login(response)


def _to_login(response):
    location = response.headers.get("Location", "") if response.is_redirect else ""
    return urlsplit(location).path == "/login"


def _read_paper(phone, response, slug):
    """The paper a quiz page carries: (token, {question id: places}), kept."""
    found = PAPER.search(response.text) if response is not None else None
    if not found:
        return None
    places = {}
    for question, place in CHOICE_INPUT.findall(response.text):
        places.setdefault(question, []).append(place)
    phone.papers[slug] = (found.group(1), places)
    return phone.papers[slug]


def _answers(places):
    """Tick one or two places on each question of the paper."""
    return {
        question: random.sample(shown, random.randint(1, min(2, len(shown))))
        for question, shown in places.items()
    }


def _now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _ms(begin, end):
    return round((end - begin) * 1000, 2)


def _name(error):
    return type(error).__name__


def run_people(base_url, people, courses, deadline, think, out_path, burst_at=None):
    """Client process: one thread per person, each starting at its own moment.

    :param people: [role, phone number, loopback address, start time, class id].
    :param burst_at: with --burst, when every farmer sends its batch at once.
    """
    from tests.bench import _heavy

    log = Log()

    def live(role, number, address, start, class_id):
        time.sleep(max(0, start - time.time()))
        phone = Phone(base_url, address, number, log, deadline, think)
        if not phone.sign_in():
            log.add("violations", [number, "could not sign in"])
            return
        if role == "farmer" and burst_at is not None:
            _heavy.burst(phone, courses, burst_at)
        elif role == "farmer":
            farmer(phone, courses)
        elif role == "slow":
            _heavy.slow_trainer(phone, class_id, int(address.rpartition(".")[2]))
        elif role == "trainer":
            trainer(phone, class_id)
        else:
            official(phone)

    threads = [threading.Thread(target=live, args=person) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log.dump(out_path)
