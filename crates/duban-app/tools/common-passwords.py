#!/usr/bin/env python3
# Run from the repository root: python3 crates/duban-app/tools/common-passwords.py
# Builds crates/duban-app/src/common-passwords.txt: passwords people choose most often,
# lower-cased, at least 8 characters (shorter ones fail the length rule anyway).
base_words = """password passwd pass admin administrator root user test guest qwerty qwertyuiop asdfgh
asdfghjkl zxcvbn zxcvbnm qazwsx qweasd qweasdzxc abc abcd abcde abcdef abcdefg abcdefgh iloveyou
woaini woaiwojia woainima aini wangyang zhangwei liwei wanglei china beijing shanghai welcome login
letmein master dragon monkey sunshine princess football baseball superman batman michael shadow
hello hellokitty love lovely loveyou happy lucky system manager server oracle mysql duban gov
zhengfu dangzheng ducha duban dubanban office changeme secret default huawei xiaomi tencent qq
baidu taobao alibaba weixin wechat apple samsung computer internet windows linux ubuntu kali
zhang wang li liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng liang
xiaoming xiaohong xiaolong tiantian jiajia lili lele dandan fangfang yangyang""".split()
suffixes = ["", "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678", "123456789",
            "!", "@", "#", "1!", "123!", "@123", "#123", "!@#", "@1234", "@12345", "_123", ".123",
            "520", "1314", "5201314", "666", "888", "88", "00", "01", "007", "111", "000",
            "2008", "2010", "2012", "2015", "2016", "2017", "2018", "2019", "2020", "2021", "2022",
            "2023", "2024", "2025", "2026", "@2020", "@2021", "@2022", "@2023", "@2024", "@2025", "@2026",
            "!2024", "!2025", "!2026", "#2025", "#2026"]
prefixes = ["", "a", "aa", "abc", "qq", "1", "123", "@"]
out = set()
for w in base_words:
    for s in suffixes:
        for p in ["", ]:
            out.add(p + w + s)
digits = ["123456", "1234567", "12345678", "123456789", "1234567890", "0123456789", "987654321",
          "654321", "111111", "000000", "888888", "666666", "123123", "5201314", "1314520", "147258",
          "147258369", "159357", "159753", "112233", "121212", "123321", "520520", "201314", "741852963"]
for d in digits:
    for p in prefixes:
        for s in ["", "a", "aa", "abc", "q", "qq", "!", "@", ".", "..", "a!", "a@"]:
            out.add(p + d + s)
for n in range(1, 10):
    for k in range(6, 13):
        out.add(str(n) * k)
        out.add(str(n) * k + "a")
        out.add("a" + str(n) * k)
walks = ["1qaz2wsx", "1qaz2wsx3edc", "1qaz@wsx", "1qaz@wsx#edc", "!qaz2wsx", "!qaz@wsx", "qwe123",
         "qwe123!@#", "qwer1234", "qwer!@#$", "qwerasdf", "qwerasdfzxcv", "asdf1234", "zxcv1234",
         "1q2w3e4r", "1q2w3e4r5t", "1q2w3e", "q1w2e3r4", "q1w2e3r4t5", "a1b2c3d4", "a1s2d3f4", "zaq12wsx",
         "zaq1xsw2", "1234qwer", "1234asdf", "12qwaszx", "qazwsxedc", "qazxswedc", "!qaz2wsx#edc",
         "123qwe", "123qweasd", "123qweasdzxc", "qweqwe", "asdasd", "zxczxc", "abcd1234", "abc12345",
         "abcd@1234", "abc@1234", "abc@123", "a1234567", "a12345678", "a123456789", "aa123456",
         "aa12345678", "aaa123456", "woaini1314", "woaini520", "woaini123", "iloveyou1314", "5201314a",
         "a5201314", "wo5201314", "qq123456", "qq5201314", "p@ssw0rd", "p@ssword", "passw0rd",
         "p@ssw0rd1", "p@ssw0rd123", "passw0rd!", "admin@123", "admin123", "admin888", "admin@1234",
         "admin@12345", "admin!@#", "admin123456", "root@123", "root123", "root1234", "test@123",
         "test1234", "user@123", "huawei@123", "huawei12#$", "sysadmin", "changeme123", "welcome1",
         "welcome123", "welcome@123", "password1", "password123", "password!", "password@123",
         "abcdefg123", "abcdefgh", "11111111", "88888888", "00000000", "12345678a", "123456aa",
         "123456abc", "123456qq", "123456789a", "1234567890a", "a1b2c3d4e5", "qwertyui", "asdfghjk",
         "zxcvbnm123", "zhang123456", "wang123456", "li123456", "liu123456", "chen123456", "yang123456"]
out.update(walks)
for y in range(1950, 2011):
    for m in range(1, 13):
        out.add(f"{y}{m:02d}01")
out = sorted(p for p in out if len(p) >= 8)
open("crates/duban-app/src/common-passwords.txt", "w").write(
    "# Common passwords (lower-cased, 8 characters or more), refused whatever their case.\n"
    "# Generated from the patterns people choose most often: Chinese favourites (woaini1314,\n"
    "# a123456…), keyboard walks (1qaz2wsx, qwer1234), names and words with digits and years,\n"
    "# repeated digits and birthdays. One a line; lines starting with # are comments.\n"
    + "\n".join(out) + "\n")
print(len(out))
