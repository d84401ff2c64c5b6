"""Course files the fixture folders do not carry, for the tests that need them."""

ASSIGNMENT_YAML = """\
instructions:
  vi: |
    Quay một đoạn video 1 phút giới thiệu vải thiều nhà mình.

    - Đặt điện thoại ngang tầm mắt.
    - Gửi đường link hoặc ảnh chụp màn hình.
  en: |
    Record a one-minute video introducing your lychees.

    - Put the phone at eye level.
    - Send the link or screenshots.
rubric:
  - id: clear-light
    vi: Khuôn mặt và sản phẩm đủ sáng
    en: Face and product are well lit
  - id: honest-claims
    vi: Nói thật về cách chăm vườn
hand_in:
  link: true
  photos: 3
"""

# What ASSIGNMENT_YAML parses to.
ASSIGNMENT = {
    "instructions_vi": "Quay một đoạn video 1 phút giới thiệu vải thiều nhà mình.\n\n"
    "- Đặt điện thoại ngang tầm mắt.\n- Gửi đường link hoặc ảnh chụp màn hình.",
    "instructions_en": "Record a one-minute video introducing your lychees.\n\n"
    "- Put the phone at eye level.\n- Send the link or screenshots.",
    "rubric": [
        {
            "id": "clear-light",
            "vi": "Khuôn mặt và sản phẩm đủ sáng",
            "en": "Face and product are well lit",
        },
        {"id": "honest-claims", "vi": "Nói thật về cách chăm vườn", "en": None},
    ],
    "accepts_link": True,
    "max_photos": 3,
}


def write_assignment(course_folder, text=ASSIGNMENT_YAML):
    """Give a copied course folder an assignment.yaml."""
    (course_folder / "assignment.yaml").write_text(text, encoding="utf-8")
