// socketserver_example: an Arduino sketch that talks to the SocketServer relay through
// socketserver-serial. Lines in, lines out, at 9600 baud:
//   - a button on pin 2 (to GND) prints "arduino1:button,pressed" / "arduino1:button,released";
//   - the relay's "arduino1:led,on" / "arduino1:led,off" switch the LED on pin 13.
// Run: socketserver-serial --device /dev/ttyACM0 --prefix arduino1:

const int kButtonPin = 2;
const int kLedPin = 13;
const char kPrefix[] = "arduino1:";

String line; // the message being received
int lastButton = HIGH;

void setup()
{
    pinMode(kButtonPin, INPUT_PULLUP);
    pinMode(kLedPin, OUTPUT);
    Serial.begin(9600);
    line.reserve(64);
    Serial.println("arduino1:hello");
}

void handle(const String &message)
{
    if (!message.startsWith(kPrefix))
        return; // for another board
    const String command = message.substring(sizeof(kPrefix) - 1);
    if (command == "led,on")
        digitalWrite(kLedPin, HIGH);
    else if (command == "led,off")
        digitalWrite(kLedPin, LOW);
}

void loop()
{
    while (Serial.available() > 0) {
        const char c = Serial.read();
        if (c == '\n') {
            handle(line);
            line = "";
        } else if (c != '\r' && line.length() < 63) {
            line += c;
        }
    }

    const int button = digitalRead(kButtonPin);
    if (button != lastButton) {
        lastButton = button;
        Serial.println(button == LOW ? "arduino1:button,pressed" : "arduino1:button,released");
        delay(20); // debounce
    }
}
