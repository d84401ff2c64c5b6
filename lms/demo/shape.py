"""What the made-up province looks like: names, numbers, the season."""

LEARNER_PREFIX = "+8439"  # +84 39x xxx xxx: learners; staff get +84 38x xxx xxx
STAFF_PREFIX = "+8438"
DAYS = 365
EXTRA_COURSES = [  # archived sample courses, see World._extra_courses
    "Bán hàng qua Zalo và Facebook",
    "Chụp ảnh sản phẩm bằng điện thoại",
    "Chăm sóc khách hàng sau bán",
    "Tính giá thành và lợi nhuận",
    "Vận chuyển và giao hàng",
    "Ghi chép nhật ký canh tác",
    "Truy xuất nguồn gốc",
    "Bán hàng trên sàn thương mại điện tử",
    "Kể chuyện vùng trồng",
    "Làm việc với hợp tác xã",
    "Quản lý đơn hàng mùa vụ",
    "An toàn thực phẩm cơ bản",
]
EXTRA_LESSONS = 9
FAMILY = "Nguyễn Trần Lê Phạm Hoàng Vũ Đặng Bùi Đỗ Ngô Dương Giáp Thân Hà Lương".split()
MIDDLE = "Văn Thị Đức Minh Thu Ngọc Quang Thanh Hồng Xuân Hữu Kim".split()
GIVEN = (
    "Hoa Lan Hùng Dũng Hải Hương Mai Tuấn Nam Bình Thảo Trang Long Sơn Phúc Hạnh "
    "Yến Chi Linh Tâm Hiền Toàn Thắng Nga Huệ Quý Khánh Duyên Tùng Thủy"
).split()
# Training days follow the season: most before the lychee harvest (late May to July).
MONTH_WEIGHT = {1: 6, 2: 10, 3: 14, 4: 16, 5: 13, 6: 8, 7: 6, 8: 7, 9: 9, 10: 10}
MONTH_WEIGHT |= {11: 10, 12: 7}
