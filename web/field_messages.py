"""Field messages (marshmallow's, our schemas', the text gate's) with their Chinese."""

from __future__ import annotations

import re

from application import text_gate
from application.system_text import catalogue

# Field messages (marshmallow's and our schemas') → Chinese; groups carried over in order.
FIELD_MESSAGES = catalogue(
    (
        # the text gate's refusals, in its own two languages
        *(
            (re.escape(english).replace(r"\{0\}", r"(U\+[0-9A-F]{4,6})"), chinese)
            for english, chinese in text_gate.MESSAGES
        ),
        (r"Missing data for required field\.", "缺少必填字段。"),
        (r"Unknown field\.", "未知字段。"),
        (r"Field may not be null\.", "字段不能为空。"),
        (r"Not a valid integer\.", "不是有效的整数。"),
        (r"Not a valid number\.", "不是有效的数字。"),
        (r"Not a valid string\.", "不是有效的字符串。"),
        (r"Not a valid boolean\.", "不是有效的布尔值。"),
        (r"Not a valid list\.", "不是有效的列表。"),
        (r"Not a valid mapping type\.", "不是有效的对象。"),
        (r"Invalid input type\.", "输入类型无效。"),
        (r"Invalid input\.", "输入无效。"),
        (r"Must be one of: (.+)\.", "须为以下之一：{0}。"),
        (r"Must be greater than or equal to (\S+)\.", "须大于或等于 {0}。"),
        (
            r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\.",
            "须在 {0} 与 {1} 之间。",
        ),
        (r"Shorter than minimum length (\d+)\.", "长度不得少于 {0}。"),
        (r"Longer than maximum length (\d+)\.", "长度不得超过 {0}。"),
        (r"Length must be between (\d+) and (\d+)\.", "长度须在 {0} 与 {1} 之间。"),
        (r"Must be 64 hexadecimal digits\.", "须为 64 位十六进制数。"),
        (r"Must be an ISO-8601 date or time\.", "须为 ISO-8601 日期或时间。"),
        (r"Must be a version number or an ISO-8601 time\.", "须为版本号或 ISO-8601 时间。"),
        (
            r"Must be a version number, an ISO-8601 date or time, or one of (.+)\.",
            "须为版本号、ISO-8601 日期或时间，或以下之一：{0}。",
        ),
        (r"Version numbers start at 1\.", "版本号从 1 开始。"),
        (r"Version numbers run from 1 to (\d+)\.", "版本号须在 1 与 {0} 之间。"),
        (r"Must be between (\S+) and (\S+)\.", "须在 {0} 与 {1} 之间。"),
        (
            r"Must be a time between years 1 and 9999 in UTC\.",
            "须为 UTC 下 1 至 9999 年之间的时间。",
        ),
        (r"Give version or as_of, not both\.", "version 与 as_of 只能给一个。"),
        (r"Give a title, or the id of an uploaded file\.", "须给出标题，或已上传文件的 id。"),
        (
            r"Give deduction_id or indicator, exactly one\.",
            "deduction_id 与 indicator 须给且只给一个。",
        ),
        (r"An amended decision needs points\.", "变更裁定须给出分值。"),
        (r"Points go with an amended decision only\.", "只有变更裁定可以给出分值。"),
        (
            r"Must be a file part of a multipart/form-data body\.",
            "须为 multipart/form-data 中的文件部分。",
        ),
    )
)


def chinese_message(message: str) -> str:
    """One field message in Chinese (unchanged when the catalogue does not know it)."""
    for pattern, chinese in FIELD_MESSAGES:
        match = pattern.match(message)
        if match:
            return chinese.format(*match.groups())
    return message
