"""Name lists for demo people: common UK names, more women than men, as in real time banks."""

WOMEN = [
    "Margaret", "Patricia", "Susan", "Linda", "Elizabeth", "Jean", "Mary", "Joan", "Christine", "Janet",
    "Sarah", "Helen", "Karen", "Julie", "Amina", "Priya", "Fatima", "Grace", "Olivia", "Emily", "Sophie",
    "Aisha", "Chloe", "Hannah", "Ruth", "Dorothy", "Irene", "Sandra", "Nadia", "Zainab", "Mei", "Rosa",
    "Agnieszka", "Bridget", "Yvonne", "Sharon", "Lucy", "Jessica", "Ellie", "Megan",
]
MEN = [
    "John", "David", "Michael", "Peter", "Robert", "James", "William", "Brian", "Stephen", "Paul",
    "Mohammed", "Ahmed", "Tomasz", "Kwame", "Raj", "George", "Harry", "Oliver", "Jack", "Daniel",
    "Samuel", "Ian", "Keith", "Trevor",
]
OTHER = ["Alex", "Sam", "Jordan", "Robin", "Charlie", "Jamie"]
SURNAMES = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Thomas", "Clarke",
    "Jackson", "Wood", "Harris", "Edwards", "Turner", "Martin", "Cooper", "Hill", "Ward", "Hughes",
    "Khan", "Ali", "Begum", "Hussain", "Kowalski", "Nowak", "Okafor", "Mensah", "Chen", "Singh",
    "O'Brien", "Murphy", "Campbell", "Stewart", "Morgan", "Lewis", "Price", "Bennett", "Shaw", "Lloyd",
]
AREAS = [
    ("E05009317", "Riverside North", "51.50720", "-0.12760"),
    ("E05009318", "Riverside South", "51.50010", "-0.12500"),
    ("E05009319", "Old Town", "51.51230", "-0.13400"),
    ("E05009320", "Canal Side", "51.50450", "-0.14120"),
    ("E05009321", "Hillcrest", "51.51810", "-0.11900"),
    ("E05009322", "Market Quarter", "51.49870", "-0.13390"),
    ("E05009323", "Parkfield", "51.52100", "-0.14500"),
    ("E05009324", "St Anne's", "51.49500", "-0.11700"),
]
OFFERS = [
    "I can help with gardening and weeding.", "Happy to give lifts to appointments.",
    "I enjoy a chat over a cup of tea.", "I can help fill in forms and write letters.",
    "I can teach knitting or sewing.", "I can walk dogs.", "I can do small repairs around the house.",
    "I can help with phones, tablets and computers.", "I can cook a meal for someone.",
    "I can help children with reading and homework.", "I speak Polish and can translate.",
    "I can help at community events.",
]
NEEDS = [
    "Help with my garden.", "A lift to the hospital now and then.", "Someone to talk to.",
    "Help with my computer.", "Help with shopping.", "", "", "Small repairs at home.",
]
