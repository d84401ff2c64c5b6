"""Taking an export as a person does: ask, watch its page, download the file."""

import time

JOB_WAIT_SECONDS = 60


def job_path(response):
    """The job page an export request leads to."""
    assert response.status_code == 303, response.status_code
    location = response.headers["Location"]
    assert location.startswith("/jobs/"), location
    return location


def wait_for_job(client, path, seconds=JOB_WAIT_SECONDS):
    """Watch the job's page until it stops reloading itself (finished)."""
    deadline = time.monotonic() + seconds
    while True:
        page = client.get(path)
        if "Refresh" not in page.headers:
            return page
        assert time.monotonic() < deadline, page.text
        time.sleep(0.05)


def wait_for_download(client, path, seconds=JOB_WAIT_SECONDS):
    """Wait for the job, then ask for its download; return that response."""
    wait_for_job(client, path, seconds)
    response = client.get(f"{path}/download")
    response.make_sequence()  # read the file, then let it go
    response.close()
    return response


def exported(client, url, **kwargs):
    """POST ``url`` (an export), wait for the job and return the download."""
    return wait_for_download(client, job_path(client.post(url, **kwargs)))
