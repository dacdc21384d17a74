package bench.peer;

import javax.xml.bind.annotation.XmlAccessType;
import javax.xml.bind.annotation.XmlAccessorType;
import javax.xml.bind.annotation.XmlElement;
import javax.xml.bind.annotation.XmlType;

@XmlAccessorType(XmlAccessType.FIELD)
@XmlType(name = "ApiAccountProperty", namespace = ApiAccount.NS,
        propOrder = {"name", "type", "value"})
public class ApiAccountProperty {
    @XmlElement(name = "Name", namespace = ApiAccount.NS)
    private String name;

    @XmlElement(name = "Type", namespace = ApiAccount.NS)
    private String type;

    @XmlElement(name = "Value", namespace = ApiAccount.NS)
    private String value;

    public ApiAccountProperty() {}

    private ApiAccountProperty(String name, String type, String value) {
        this.name = name;
        this.type = type;
        this.value = value;
    }

    static ApiAccountProperty string(String name, String value) {
        return new ApiAccountProperty(name, "String", value);
    }

    static ApiAccountProperty integer(String name, long value) {
        return new ApiAccountProperty(name, "Int", Long.toString(value));
    }
}
