# Two homes and two parking spaces for the tests of points on parking
# bills (t3845, t3846): 张伟 owns 101 and the space B01, 李娜 owns 102 and
# B02. The last command run is the people's import.
parking_homes() {
	run pm init --community 幸福里
	feed '{"code":"1-1-101","area":"80","status":"occupied","delivered":"2020-01-01"}
{"code":"1-1-102","area":"80","status":"occupied","delivered":"2020-01-01"}
{"code":"1-1-B01","area":"12","use":"parking","status":"occupied","floor":-1,"delivered":"2020-01-01"}
{"code":"1-1-B02","area":"12","use":"parking","status":"occupied","floor":-1,"delivered":"2020-01-01"}\n' pm unit import
	feed '{"code":"P1","name":"张伟","unit":"1-1-101"}
{"code":"P1","name":"张伟","unit":"1-1-B01"}
{"code":"P2","name":"李娜","unit":"1-1-102"}
{"code":"P2","name":"李娜","unit":"1-1-B02"}\n' pm person import
}
